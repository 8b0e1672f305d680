/**
 * Reading paged lists without trusting them: pages are bounded by what the first page promised and
 * by a hard cap, a page that adds no new ID ends the paging, and rows are read one by one (a bad row
 * is skipped, a repeated ID kept once) — so a lying or looping upstream costs one list, not the process.
 */
import pLimit from "p-limit";
import type { ApiClient, Identified, JsonRequest } from "../client.js";
import { readPage } from "../normalize.js";
import type { CallContext } from "../call-context.js";

/** Rows asked for per page. */
export const PAGE_SIZE = 100;

/**
 * Pages read at most per list: 1,000 pages (100,000 customers) for the customer list, 100 pages
 * (10,000 profiles) for one customer's profiles. Far above any real partner; a list that claims
 * more fails at once instead of queueing its pages.
 */
export const MAX_PAGES = { customers: 1000, profiles: 100 } as const;

/**
 * Pages of one list in flight at once: enough to keep the transport's request slots busy, few
 * enough that a server ignoring pageIndex costs a handful of requests, not the whole promised list.
 */
export const PAGE_WINDOW = 8;

export interface PagedList<T> {
  readonly request: JsonRequest;
  readonly map: (record: unknown, endpoint: string) => T;
  readonly maxPages: number;
  /** Each page's new rows, as soon as the page has arrived. */
  readonly onPage: (items: readonly T[]) => void;
}

/**
 * How a list ended: complete only when every row it promised was read and none was malformed. Only
 * a complete customer list may tell that a customer is gone.
 */
export interface ListEnd {
  readonly complete: boolean;
}

/** Rows read so far in one list; a page "makes progress" unless every row on it was a repeat. */
class Progress<T extends Identified> {
  readonly seen = new Set<string>();
  rows = 0;
  malformed = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly list: PagedList<T>,
  ) {}

  /** Hands the page's new rows over; true when the page brought anything but repeats. */
  take(items: readonly unknown[]): boolean {
    const rows = this.client.records(items, this.list.request.endpoint, this.list.map, this.seen);
    this.list.onPage(rows.kept);
    this.rows += items.length;
    this.malformed += rows.malformed;
    return rows.kept.length + rows.malformed > 0;
  }
}

/**
 * v3 paging by pageIndex/pageSize/totalCount: page 1, then the others in parallel, at most
 * {@link PAGE_WINDOW} at a time and in order; once a page brings nothing but repeats (a server that
 * ignores pageIndex), the pages not yet sent are not asked for. Without a total: page after page
 * while they come back full and bring something new.
 * @throws UpstreamLimitError (`paging`) when the list claims more than `maxPages` pages, or keeps
 *   bringing new rows past the cap; anything `ApiClient.read` throws.
 */
export const pagedByIndex = async <T extends Identified>(
  client: ApiClient,
  list: PagedList<T>,
  ctx: CallContext,
): Promise<ListEnd> => {
  const { request: base, maxPages } = list;
  const progress = new Progress(client, list);
  const request = (pageIndex: number): JsonRequest => ({
    ...base,
    query: { ...base.query, pageIndex, pageSize: PAGE_SIZE },
  });
  const take = async (index: number): Promise<{ added: boolean; size: number }> => {
    const page = await client.read(request(index), ctx, readPage);
    return { added: progress.take(page.items), size: page.items.length };
  };

  const head = await client.read(request(1), ctx, readPage);
  let added = progress.take(head.items);
  const total = head.totalCount;
  if (total === null) {
    let last = { added, size: head.items.length };
    for (let index = 2; last.added && last.size >= PAGE_SIZE; index++) {
      if (index > maxPages)
        throw client.limit(`more than ${maxPages} pages without a total`, "paging", base.endpoint);
      last = await take(index);
    }
    // A full page of repeats ended it: the server did not page, and what it did not send is unknown.
    return { complete: progress.malformed === 0 && last.added };
  }
  // A server that ignores pageSize may already have sent everything it promised.
  if (head.items.length < total) {
    const pages = Math.ceil(total / PAGE_SIZE);
    if (pages > maxPages)
      throw client.limit(
        `totalCount ${total} needs ${pages} pages, more than the ${maxPages} allowed`,
        "paging",
        base.endpoint,
      );
    const window = pLimit(PAGE_WINDOW);
    const rest: Promise<unknown>[] = [];
    for (let index = 2; index <= pages; index++)
      rest.push(
        window(async () => {
          if (!added) return;
          if (!(await take(index)).added) added = false;
        }),
      );
    // Every page settles before this returns, so no page arrives after the caller has moved on.
    const failed = (await Promise.allSettled(rest)).find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }
  return { complete: progress.malformed === 0 && progress.rows >= total };
};

/**
 * OData paging: follow `@odata.nextLink` (or `nextLink`), each checked by `ApiClient.link`, until
 * there is none, a link repeats, or a page brings nothing but repeats.
 * @throws UpstreamLimitError (`unsafe_link`, `paging`) and anything `ApiClient.read` throws.
 */
export const pagedByNextLink = async <T extends Identified>(
  client: ApiClient,
  list: PagedList<T>,
  ctx: CallContext,
): Promise<ListEnd> => {
  const { endpoint } = list.request;
  const progress = new Progress(client, list);
  const links = new Set<string>();
  let request: JsonRequest = list.request;
  for (let index = 1; ; index++) {
    const page = await client.read(request, ctx, readPage);
    const added = progress.take(page.items);
    const clean = progress.malformed === 0;
    if (page.nextLink === null) return { complete: clean };
    if (!added) return { complete: false };
    const next = client.link(page.nextLink, request, endpoint);
    if (links.has(next.url!)) return { complete: false };
    if (index >= list.maxPages)
      throw client.limit(`next links go on past ${list.maxPages} pages`, "paging", endpoint);
    links.add(next.url!);
    request = next;
  }
};

/** Every row of a paged list, in one array. */
export const allPages = async <T>(
  paged: (onPage: (items: readonly T[]) => void) => Promise<unknown>,
): Promise<T[]> => {
  const all: T[] = [];
  await paged((items) => all.push(...items));
  return all;
};
