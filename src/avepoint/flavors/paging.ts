/** Reading list answers page by page, and records one by one, with parse errors counted once. */
import { ParseError } from "../../errors.js";
import type { ApiClient, JsonRequest } from "../client.js";
import { normalizeDaily, readPage } from "../normalize.js";
import type { CallContext } from "../timing.js";
import type { DailyProfile } from "../types.js";
import { PAGE_SIZE } from "./partner-api.js";

/** Maps records; the first unreadable one is counted as a parse error and fails the whole list. */
export const mapRecords = <T>(
  client: ApiClient,
  items: readonly unknown[],
  endpoint: string,
  map: (record: unknown, endpoint: string) => T,
): T[] => {
  try {
    return items.map((item) => map(item, endpoint));
  } catch (err) {
    if (err instanceof ParseError) client.parseError(endpoint);
    throw err;
  }
};

export const page = (client: ApiClient, request: JsonRequest, ctx: CallContext) =>
  client.json(request, ctx).then((body) => {
    try {
      return readPage(body, request.endpoint);
    } catch (err) {
      client.parseError(request.endpoint);
      throw err;
    }
  });

/**
 * v3 paging by pageIndex/pageSize/totalCount: page 1 first, then every other page in parallel,
 * each handed over as it arrives.
 */
export const pagedByIndex = async <T>(
  client: ApiClient,
  base: JsonRequest,
  ctx: CallContext,
  map: (record: unknown, endpoint: string) => T,
  onPage: (items: T[]) => void,
): Promise<void> => {
  const request = (pageIndex: number): JsonRequest => ({
    ...base,
    query: { ...base.query, pageIndex, pageSize: PAGE_SIZE },
  });
  const head = await page(client, request(1), ctx);
  onPage(mapRecords(client, head.items, base.endpoint, map));
  if (head.totalCount === null) {
    // No total: keep asking while pages come back full.
    let last = head.items.length;
    for (let index = 2; last >= PAGE_SIZE; index++) {
      const next = await page(client, request(index), ctx);
      onPage(mapRecords(client, next.items, base.endpoint, map));
      last = next.items.length;
    }
    return;
  }
  const pages = Math.ceil(head.totalCount / PAGE_SIZE);
  const rest: Promise<void>[] = [];
  for (let index = 2; index <= pages; index++)
    rest.push(
      page(client, request(index), ctx).then((p) => onPage(mapRecords(client, p.items, base.endpoint, map))),
    );
  // Every page settles before this returns, so no page arrives after the caller has moved on.
  const failed = (await Promise.allSettled(rest)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
};

/** Every item of a paged list, in one array. */
export const allPages = async <T>(paged: (onPage: (items: T[]) => void) => Promise<void>): Promise<T[]> => {
  const all: T[] = [];
  await paged((items) => all.push(...items));
  return all;
};

/** OData paging: follow `@odata.nextLink` (or `nextLink`) until there is none. */
export const pagedByNextLink = async <T>(
  client: ApiClient,
  first: JsonRequest,
  ctx: CallContext,
  map: (record: unknown, endpoint: string) => T,
  onPage: (items: T[]) => void,
): Promise<void> => {
  let request: JsonRequest | null = first;
  const seen = new Set<string>();
  while (request) {
    const p = await page(client, request, ctx);
    onPage(mapRecords(client, p.items, request.endpoint, map));
    if (p.nextLink === null || seen.has(p.nextLink)) break;
    seen.add(p.nextLink);
    request = { method: "GET", path: p.nextLink, endpoint: first.endpoint };
  }
};

/** A daily record; an unreadable one is counted as a parse error. */
export const readDaily = (client: ApiClient, body: unknown, endpoint: string): DailyProfile => {
  try {
    return normalizeDaily(body, endpoint);
  } catch (err) {
    client.parseError(endpoint);
    throw err;
  }
};
