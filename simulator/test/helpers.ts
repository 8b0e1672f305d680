/** Shared helpers of the simulator tests: start/close per test, token and API calls over real HTTP. */
import { afterEach } from "vitest";
import { startSimulator } from "../src/server.js";
import type { Simulator, SimulatorOptions } from "../src/server.js";

const open: Simulator[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

/** Starts a simulator on an ephemeral port; it is closed after the test. */
export async function start(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ port: 0, ...options });
  open.push(sim);
  return sim;
}

export async function requestToken(sim: Simulator, fields: Record<string, string>): Promise<Response> {
  return fetch(sim.tokenUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A token for the default client, with the scopes of the simulator's flavor. */
export async function token(sim: Simulator, clientSecret = "demo-secret"): Promise<string> {
  const res = await requestToken(sim, {
    grant_type: "client_credentials",
    client_id: "demo-client",
    client_secret: clientSecret,
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || body.access_token === undefined) throw new Error(`token: ${res.status}`);
  return body.access_token;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

/** One API call; `accessToken` null sends no Authorization header. */
export async function call(
  sim: Simulator,
  path: string,
  accessToken: string | null,
  init: { method?: string; body?: string; contentType?: string } = {},
): Promise<ApiResult> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (accessToken !== null) headers.Authorization = `Bearer ${accessToken}`;
  if (init.contentType !== undefined) headers["Content-Type"] = init.contentType;
  const res = await fetch(path.startsWith("http") ? path : `${sim.url}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

export const V3 = "/partner/external/v3/general/customers";

export interface Paged<T> {
  data: T[];
  metadata: { pageIndex: number; pageSize: number; totalCount: number };
}

/** Resolves once `condition` holds; the test's own timeout, not a guessed sleep, bounds the wait. */
export async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}
