/**
 * A v3 upstream whose customer IDs, profile IDs and names are what breaks a dashboard: regex
 * metacharacters, backslashes, quotes, newlines, namesakes. The simulator's IDs are GUIDs; these are
 * not, and the exporter passes any ID without control characters through. A real node:http server
 * on 127.0.0.1, port 0.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { customerRow, profileRow, v3Page, V3_CUSTOMERS } from "./wire.js";
import type { SeenRequest } from "./upstream.js";

export interface FleetProfile {
  readonly id: string;
  readonly name: string;
  /** v3 lastScanStatus: 2 finished, 3 failed, 4 finished with exception. */
  readonly status: number;
  readonly removed: number;
}
export interface FleetCustomer {
  readonly id: string;
  readonly name: string;
  readonly profiles: readonly FleetProfile[];
}

const profiles = (customer: string, names: readonly [string, string], k: number): FleetProfile[] => [
  { id: `${customer}#1`, name: names[0], status: k % 3 === 0 ? 3 : 2, removed: 100 * k + 1 },
  { id: `${customer}#2`, name: names[1], status: k % 3 === 1 ? 4 : 2, removed: 100 * k + 2 },
];

const fleet = (rows: readonly [string, string, readonly [string, string]][]): FleetCustomer[] =>
  rows.map(([id, name, names], k) => ({ id, name, profiles: profiles(id, names, k + 1) }));

/**
 * Each ID breaks an unescaped `customer_id=~"..."` a different way (`.*` matches everyone, `a|b`
 * matches `a` too, `x(1)[2]{3}+?^$` is no regex); names have quotes, newlines, backslashes, and two
 * customers are called the same. `q"uote` cannot be selected (Grafana would not escape the quote in
 * a query) but counts under All.
 */
export const HOSTILE_FLEET: readonly FleetCustomer[] = fleet([
  [".*", 'Müller & Söhne "GmbH"', ['Exchange "VIP" mailboxes', "Teams"]],
  ["a|b", "Line\nBreak Inc", ["Line\nBreak profile", "Teams"]],
  ["a", "Contoso", ["Teams", "Teams"]],
  ["b", "Contoso", ["Scan\\Path\\Profile", "📁 Files & Ordner"]],
  ["x(1)[2]{3}+?^$", "a.*b|c", ["(p)", "[q]"]],
  ["back\\slash", "Back\\slash Ltd", ["Überprüfung – Größe", "Teams"]],
  ["it's ü 空白", "🚀 O'Brien {curly} [square]", ["it's", "x"]],
  ['q"uote', "Quote Co", ["Teams", "SharePoint"]],
]);

export interface HostileUpstream {
  readonly apiUrl: string;
  readonly tokenUrl: string;
  close(): Promise<void>;
}

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
};

/** Serves HOSTILE_FLEET (daily reports `reportTime` old) as flavor v3 with a token endpoint. */
export const startHostileFleet = async (reportTime: string): Promise<HostileUpstream> => {
  const byId = new Map(HOSTILE_FLEET.map((customer) => [customer.id, customer]));
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    req.resume();
    if (path === "/connect/token")
      return sendJson(res, 200, { access_token: "fleet-token", token_type: "Bearer", expires_in: 3600 });
    const segments = path.split("/").slice(1).map(decodeURIComponent);
    const seen = { query: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)) } as SeenRequest;
    const isCustomers = V3_CUSTOMERS.every((s, i) => segments[i] === s);
    if (isCustomers && segments.length === 5)
      return sendJson(
        res,
        200,
        v3Page(
          HOSTILE_FLEET.map((c) => ({ ...customerRow(c.id), organization: c.name })),
          seen,
        ),
      );
    const customer = byId.get(segments[5] ?? "");
    if (isCustomers && segments.length === 7 && segments[6] === "scan-profiles" && customer !== undefined)
      return sendJson(
        res,
        200,
        v3Page(
          customer.profiles.map((p) =>
            profileRow(p.id, {
              profileName: p.name,
              lastScanStatus: p.status,
              removedFromMicrosoft365OrOutofPolicy: p.removed,
              lastUpdateTime: reportTime,
            }),
          ),
          seen,
        ),
      );
    sendJson(res, 404, { error: "not found" });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: origin,
    tokenUrl: `${origin}/connect/token`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
};
