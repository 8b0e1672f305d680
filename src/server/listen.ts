/**
 * Listening on every --web.listen-address, as exporter-toolkit does. The app's own server listens on
 * the first; each further address is a plain TCP listener that hands its connections to that same
 * server, so that TLS, time limits, the web config and shutdown are one and the same for all.
 */
import { createServer, type AddressInfo, type Server } from "node:net";
import type { FastifyInstance } from "fastify";

export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

export interface Listening {
  /** One URL per address, in the order given (with the port chosen for port 0). */
  readonly urls: readonly string[];
  /** Stops the further listeners (the app's own server closes with the app). */
  close(): Promise<void>;
}

const url = (address: AddressInfo, tls: boolean): string =>
  `${tls ? "https" : "http"}://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

/** No host: every interface, IPv6 and IPv4. */
const hostOf = (address: ListenAddress): string => address.host ?? "::";

/** @throws the listen error (address in use, no such address), with every listener already opened closed. */
export const listenAll = async (
  app: FastifyInstance,
  addresses: readonly [ListenAddress, ...ListenAddress[]],
  tls: boolean,
): Promise<Listening> => {
  const [first, ...rest] = addresses;
  // The further listeners first: a start that fails leaves no "listening" line behind.
  await app.ready();
  const extra: Server[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(
      extra.map(
        (server) =>
          new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
      ),
    );
  };
  try {
    for (const address of rest) {
      const server = createServer((socket) => app.server.emit("connection", socket));
      // The same cap as the app's own listener.
      server.maxConnections = app.server.maxConnections;
      extra.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port: address.port, host: hostOf(address) }, () => {
          server.off("error", reject);
          resolve();
        });
      });
    }
    await app.listen({ port: first.port, host: hostOf(first) });
  } catch (err) {
    await close();
    throw err;
  }
  app.server.once("close", () => void close());
  return {
    urls: [app.server, ...extra].map((server) => url(server.address() as AddressInfo, tls)),
    close,
  };
};
