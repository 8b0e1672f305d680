/**
 * A hostile AvePoint upstream: a real node:http server on 127.0.0.1, port 0, that answers whatever
 * the test scripts (not the friendly simulator), hands out tokens, and records every request it
 * sees with its Authorization header, so a test can prove what did or did not reach it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { onTestFinished } from "vitest";

export interface SeenRequest {
  readonly method: string;
  /** The request target exactly as sent (path and query, nothing resolved or decoded). */
  readonly target: string;
  /** The path split into decoded segments (`/a/b%2Fc` → ["a", "b/c"]). */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  /** When the request arrived (ms since the epoch) and when its socket or response closed. */
  readonly arrivedAt: number;
  closedAt: number | null;
}

/** Answers one API request; `req` is already recorded. Throwing answers 500. */
export type Route = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

export interface HostileUpstream {
  /** `http://127.0.0.1:<port>`, also the API base URL. */
  readonly origin: string;
  readonly port: number;
  readonly apiUrl: string;
  readonly tokenUrl: string;
  /** The bearer token it hands out: must never show up anywhere the exporter publishes. */
  readonly token: string;
  /** Every request, token requests included, in arrival order. */
  readonly requests: SeenRequest[];
  /** Requests other than the token endpoint. */
  apiRequests(): SeenRequest[];
  close(): Promise<void>;
}

export const TOKEN_PATH = "/connect/token";

const segmentsOf = (path: string): string[] =>
  path
    .split("/")
    .slice(1)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });

const drain = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      // A token request is a few hundred bytes; anything more is not read.
      if (text.length < 65_536) text += chunk;
    });
    req.on("end", () => resolve(text));
    req.on("error", () => resolve(text));
  });

export const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(text);
};

export const sendText = (res: ServerResponse, status: number, contentType: string, text: string): void => {
  res.writeHead(status, { "Content-Type": contentType });
  res.end(text);
};

export interface UpstreamOptions {
  /** False: /connect/token is an API path like any other. */
  readonly tokens?: boolean;
  /** Answers token requests instead of handing out the token; gets the form the client sent. */
  readonly tokenRoute?: (form: URLSearchParams, res: ServerResponse) => void;
}

/**
 * Starts an upstream serving `route` (and the token endpoint at /connect/token unless `tokens` is
 * false), closed when the running test finishes.
 */
export const startUpstream = async (
  route: Route,
  options: UpstreamOptions = {},
): Promise<HostileUpstream> => {
  const token = `hostile-token-${randomUUID()}`;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    const seen: SeenRequest = {
      method: req.method ?? "",
      target,
      segments: segmentsOf(path),
      query: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)),
      authorization: req.headers.authorization,
      arrivedAt: Date.now(),
      closedAt: null,
    };
    requests.push(seen);
    res.on("close", () => {
      seen.closedAt = Date.now();
    });
    if (options.tokens !== false && path === TOKEN_PATH) {
      void drain(req).then((form) => {
        if (options.tokenRoute) options.tokenRoute(new URLSearchParams(form), res);
        else sendJson(res, 200, { access_token: token, token_type: "Bearer", expires_in: 3600 });
      });
      return;
    }
    req.resume();
    Promise.resolve()
      .then(() => route(seen, res))
      .catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: String(err) });
        else res.destroy();
      });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | null = null;
  const upstream: HostileUpstream = {
    origin,
    port,
    apiUrl: origin,
    tokenUrl: `${origin}${TOKEN_PATH}`,
    token,
    requests,
    apiRequests: () => requests.filter((r) => r.target !== TOKEN_PATH),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
  onTestFinished(() => upstream.close());
  return upstream;
};

/** A second server that must never be reached: it records whatever comes and answers 200 `{}`. */
export const startBystander = (): Promise<HostileUpstream> =>
  startUpstream((_req, res) => sendJson(res, 200, { value: [], data: [] }), { tokens: false });
