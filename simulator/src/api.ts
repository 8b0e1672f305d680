/** The API side: route, count, authenticate, rate-limit, inject faults, wait, answer. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { decideFault, latencyOf, truncateJson } from "./faults.js";
import type { Reply } from "./http-util.js";
import { BodyTooLargeError, errorBody, readBody, sendJson, sendStream, sendText } from "./http-util.js";
import { isFirstPage } from "./paging.js";
import type { ObjectLists } from "./profile-extras.js";
import type { Rng } from "./random.js";
import type { RateLimiter } from "./rate-limit.js";
import type { RouteContext, RouteMatch, Router, RouterConfig } from "./routes.js";
import type { StatsRecorder } from "./stats.js";
import type { SimStore } from "./store.js";
import type { TokenStore } from "./tokens.js";
import { bearerOf } from "./tokens.js";
import type { SimFaults } from "./types.js";

export interface ApiDeps {
  router: Router;
  routerConfig: RouterConfig;
  /** Full scope names per route scope, e.g. customers → elements.customers.read.all. */
  scopeNames: Readonly<Record<"customers" | "scanprofiles", string>>;
  store: SimStore;
  tokens: TokenStore;
  stats: StatsRecorder;
  faults: () => SimFaults;
  faultRng: Rng;
  quirkRng: Rng;
  rateLimiter: RateLimiter;
  /** How long the object lists behind the counts are (full, or light for big fleets). */
  objectLists: ObjectLists;
  /** Waits `ms` on a timer that close() can clear; resolves false when cleared. */
  delay: (ms: number) => Promise<boolean>;
}

const PROFILE_ID_KEYS = ["profileId", "ProfileId", "profileID", "ProfileID"] as const;

/** Drops the profile id from the first row of a list answer, or from a single object. */
function withoutProfileId(body: unknown): unknown {
  if (typeof body !== "object" || body === null) return body;
  const record = body as Record<string, unknown>;
  for (const listKey of ["data", "value"]) {
    const list = record[listKey];
    if (Array.isArray(list) && list.length > 0) {
      const [first, ...others] = list as Record<string, unknown>[];
      return { ...record, [listKey]: [withoutProfileId(first), ...others] };
    }
  }
  const copy = { ...record };
  for (const key of PROFILE_ID_KEYS) delete copy[key];
  return copy;
}

export async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: ApiDeps,
  baseUrl: string,
): Promise<void> {
  const method = req.method ?? "GET";
  const segments = url.pathname
    .toLowerCase()
    .split("/")
    .filter((s) => s !== "");
  const route: RouteMatch | null = deps.router(method, segments, deps.routerConfig);
  const endpoint = route?.endpoint ?? `${method} (unknown route)`;
  deps.stats.start(endpoint);
  res.once("finish", () => deps.stats.answered(endpoint, res.statusCode));
  res.once("close", () => deps.stats.finish());

  let body: string;
  try {
    body = await readBody(req);
  } catch (err) {
    const tooLarge = err instanceof BodyTooLargeError;
    return sendJson(
      res,
      tooLarge ? 413 : 400,
      errorBody("BadRequest", tooLarge ? "body too large" : "bad body"),
    );
  }

  const check = deps.tokens.check(bearerOf(req.headers.authorization) ?? "");
  if (!check.ok) {
    return sendJson(res, 401, errorBody("Unauthorized", `token ${check.reason}`), {
      "WWW-Authenticate": `Bearer error="invalid_token"`,
    });
  }
  // As an API gateway would: every authenticated request of the client counts, before routing.
  const admitted = deps.rateLimiter.take(check.clientId);
  if (!admitted.ok) {
    deps.stats.rateLimited += 1;
    return sendJson(res, 429, errorBody("TooManyRequests", "rate limit exceeded"), {
      "Retry-After": String(admitted.retryAfterSeconds),
    });
  }
  if (!route) return sendJson(res, 404, errorBody("NotFound", `no route ${method} ${url.pathname}`));
  if (!check.scopes.has(deps.scopeNames[route.scope])) {
    return sendJson(res, 403, errorBody("Forbidden", `scope ${deps.scopeNames[route.scope]} required`));
  }

  const faults = deps.faults();
  const customerFault = route.customerId === null ? undefined : faults.failCustomers[route.customerId];
  if (customerFault === "hang") return; // left open until the client gives up or the simulator closes
  if (typeof customerFault === "number") {
    return sendJson(res, customerFault, errorBody(`Status${customerFault}`, "simulated customer failure"));
  }

  const firstCustomersPage = route.scope === "customers" && isFirstPage(url.searchParams);
  const decision = decideFault(faults, deps.faultRng, firstCustomersPage);
  if (decision.kind === "throttle") {
    const headers: Record<string, string> =
      faults.retryAfter === null ? {} : { "Retry-After": faults.retryAfter };
    return sendJson(res, 429, errorBody("TooManyRequests", "rate limit exceeded"), headers);
  }
  if (decision.kind === "error")
    return sendJson(res, 500, errorBody("InternalServerError", "simulated failure"));

  const wait = latencyOf(faults, deps.faultRng);
  if (wait > 0 && !(await deps.delay(wait))) return;
  if (res.destroyed) return;

  const ctx: RouteContext = {
    req,
    path: url.pathname,
    query: url.searchParams,
    body,
    store: deps.store,
    baseUrl,
    quirkRng: deps.quirkRng,
    objectLists: deps.objectLists,
  };
  let answer: Reply;
  try {
    answer = await route.handle(ctx);
  } catch (err) {
    return sendJson(res, 500, errorBody("InternalServerError", `simulator bug: ${String(err)}`));
  }
  const payload = customerFault === "missing-field" ? withoutProfileId(answer.body) : answer.body;
  let broken = false;
  if (answer.status === 200) {
    const current = deps.faults();
    broken =
      customerFault === "badjson" ||
      (current.malformedJsonRate > 0 && deps.faultRng.next() < current.malformedJsonRate);
  }
  if (answer.stream) return sendStream(res, answer.status, answer.stream(payload), broken, answer.headers);
  const text = JSON.stringify(payload);
  sendText(res, answer.status, broken ? truncateJson(text) : text, answer.headers);
}
