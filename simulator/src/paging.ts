/** v3 paging (`pageIndex` 1-based, `pageSize` ≤ 100) and OData skip-token paging. */
import type { Reply } from "./http-util.js";
import { errorBody, reply } from "./http-util.js";

export const MAX_PAGE_SIZE = 100;

export interface V3Page {
  pageIndex: number;
  pageSize: number;
}

function intParam(query: URLSearchParams, name: string, fallback: number): number | null {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : null;
}

/** Reads pageIndex/pageSize; a 400 reply when they are out of range. */
export function parseV3Paging(query: URLSearchParams, defaultSize = 100): V3Page | Reply {
  const pageIndex = intParam(query, "pageIndex", 1);
  const pageSize = intParam(query, "pageSize", defaultSize);
  if (pageIndex === null || pageIndex < 1) {
    return reply(400, errorBody("BadRequest", "pageIndex must be an integer >= 1"));
  }
  if (pageSize === null || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    return reply(400, errorBody("BadRequest", `pageSize must be an integer between 1 and ${MAX_PAGE_SIZE}`));
  }
  return { pageIndex, pageSize };
}

export const isReply = (value: V3Page | Reply | number): value is Reply =>
  typeof value === "object" && "status" in value;

/** The v3 envelope `{data, metadata:{pageIndex, pageSize, totalCount}}` for one page of `items`. */
export function v3PageBody<T, R>(items: readonly T[], page: V3Page, map: (item: T) => R): unknown {
  const start = (page.pageIndex - 1) * page.pageSize;
  return {
    data: items.slice(start, start + page.pageSize).map(map),
    metadata: { pageIndex: page.pageIndex, pageSize: page.pageSize, totalCount: items.length },
  };
}

/** Reads `$skiptoken` (an offset); a 400 reply when it is not a non-negative integer. */
export function parseSkipToken(query: URLSearchParams): number | Reply {
  const raw = query.get("$skiptoken");
  if (raw === null || raw === "") return 0;
  return /^\d+$/.test(raw) ? Number(raw) : reply(400, errorBody("BadRequest", "invalid $skiptoken"));
}

/** True for the first page of a list in either paging style: pageIndex absent or 1, $skiptoken absent or 0. */
export function isFirstPage(query: URLSearchParams): boolean {
  const is = (raw: string | null, first: number): boolean =>
    raw === null || raw.trim() === "" || (/^\d+$/.test(raw.trim()) && Number(raw.trim()) === first);
  return is(query.get("pageIndex"), 1) && is(query.get("$skiptoken"), 0);
}
