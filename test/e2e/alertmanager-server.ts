/**
 * A real Alertmanager for end-to-end tests (Debian's `prometheus-alertmanager`): loopback ports only,
 * no cluster listener (its default listens on every address), a throw-away --storage.path; and a
 * webhook receiver that records every notification it is sent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { watchDaemon } from "./daemon.js";
import { freePort, onPath } from "./prometheus-server.js";

/** The Alertmanager binary: Debian names it prometheus-alertmanager. */
export const alertmanagerBinary = (): string | undefined =>
  onPath("prometheus-alertmanager") ?? onPath("alertmanager");

export interface NotifiedAlert {
  readonly status: "firing" | "resolved";
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One webhook notification (Alertmanager's webhook payload, version 4), with the path it was sent to. */
export interface Notification {
  readonly path: string;
  readonly receiver: string;
  readonly status: "firing" | "resolved";
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly NotifiedAlert[];
}

export interface WebhookReceiver {
  /** The URL for `path` (e.g. /pager). */
  url(path: string): string;
  readonly received: Notification[];
  close(): Promise<void>;
}

export const startWebhookReceiver = async (): Promise<WebhookReceiver> => {
  const received: Notification[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      try {
        received.push({ ...(JSON.parse(body) as Omit<Notification, "path">), path: req.url ?? "" });
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export interface AlertmanagerServer {
  readonly url: string;
  /** host:port, for Prometheus's alerting config. */
  readonly address: string;
  /** POST /api/v2/alerts. */
  post(alerts: readonly object[]): Promise<void>;
  /** GET /api/v2/alerts. */
  alerts(): Promise<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[]>;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts Alertmanager with `configFile` and its state in `storage`; resolves once /-/ready answers.
 * @throws Error with its log when it exits early or is not ready within 20 s.
 */
export async function startAlertmanager(
  binary: string,
  configFile: string,
  storage: string,
): Promise<AlertmanagerServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=debug",
    ],
    { stdio: ["ignore", "ignore", "pipe"], cwd: join(configFile, "..") },
  );
  const { log, stop, ready } = watchDaemon("alertmanager", child, 300);
  await ready(url);
  return {
    url,
    address: `127.0.0.1:${port}`,
    post: async (alerts) => {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts),
      });
      if (!response.ok) throw new Error(`POST /api/v2/alerts: ${response.status} ${await response.text()}`);
    },
    alerts: async () => (await (await fetch(`${url}/api/v2/alerts`)).json()) as never,
    log,
    stop,
  };
}
