/** What a flavor's router hands back for a request it knows. */
import type { IncomingMessage } from "node:http";
import type { Reply } from "./http-util.js";
import { errorBody, reply } from "./http-util.js";
import type { Rng } from "./random.js";
import type { SimStore } from "./store.js";
import type { ObjectLists } from "./profile-extras.js";
import type { ModernDailyRoutes } from "./types.js";

export type Scope = "customers" | "scanprofiles";

export interface RouteContext {
  req: IncomingMessage;
  /** Path as the client spelt it (no query). */
  path: string;
  query: URLSearchParams;
  body: string;
  store: SimStore;
  /** The URL the simulator listens on, e.g. http://127.0.0.1:10124. */
  baseUrl: string;
  /** Separate from the data RNG: drives the modern flavor's response quirks. */
  quirkRng: Rng;
  /** How long the object lists behind the counts are. */
  objectLists: ObjectLists;
}

/** Settings that decide which routes exist. */
export interface RouterConfig {
  modernDailyRoutes: ModernDailyRoutes;
}

export interface RouteMatch {
  /** Stats key, "METHOD /template". */
  endpoint: string;
  scope: Scope;
  /** Lower-cased customer id for routes under /customers/{id}/..., else null. */
  customerId: string | null;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

/** Matches lower-cased, non-empty path segments; null when the flavor has no such route. */
export type Router = (method: string, segments: readonly string[], config: RouterConfig) => RouteMatch | null;

export const notFound = (what: string): Reply => reply(404, errorBody("NotFound", `${what} not found`));

export const unknownCustomer = (id: string): Reply => notFound(`customer ${id}`);

export const unknownProfile = (customerId: string, profileId: string): Reply =>
  notFound(`scan profile ${profileId} of customer ${customerId}`);

/** True when `segments` starts with `prefix`, element by element. */
export function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((part, i) => segments[i] === part);
}
