import { describe, expect, it } from "vitest";
import {
  MAX_PAGES,
  PAGE_SIZE,
  PAGE_WINDOW,
  pagedByIndex,
  pagedByNextLink,
} from "../../src/avepoint/flavors/paging.js";
import { ParseError, UpstreamHttpError } from "../../src/errors.js";
import { ctx, scriptedClient } from "./scripted-client.js";

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `r${from + i}` }));
/** Rows are `{id}`; anything else is malformed. */
const map = (record: unknown, endpoint: string) => {
  const id = (record as { id?: unknown } | null)?.id;
  if (typeof id !== "string") throw new ParseError("row without id", endpoint);
  return { id };
};
const request = { method: "GET", path: "/x", endpoint: "GET /x" } as const;
const pageOf = (url: URL) => Number(url.searchParams.get("pageIndex"));

const collect = async (
  paged: typeof pagedByIndex,
  client: ReturnType<typeof scriptedClient>["client"],
  maxPages = 10,
) => {
  const got: string[] = [];
  await paged(client, { request, map, maxPages, onPage: (p) => got.push(...p.map((r) => r.id)) }, ctx);
  return got;
};

describe("v3 paging", () => {
  it("follows totalCount: page 1, page 2, then the rest", async () => {
    const { client, asked } = scriptedClient((url) => {
      const i = pageOf(url);
      return { data: rows(i < 3 ? 100 : 50, (i - 1) * 100), metadata: { totalCount: 250 } };
    });
    const got = await collect(pagedByIndex, client);
    expect(asked.map(pageOf)).toEqual([1, 2, 3]);
    expect(asked.every((u) => u.searchParams.get("pageSize") === String(PAGE_SIZE))).toBe(true);
    expect(got.sort()).toEqual(
      rows(250)
        .map((r) => r.id)
        .sort(),
    );
  });

  it("without totalCount, asks for the next page while pages come back full", async () => {
    const { client, asked } = scriptedClient((url) => {
      const i = pageOf(url);
      return { data: rows(i < 3 ? 100 : 7, (i - 1) * 100) };
    });
    expect(await collect(pagedByIndex, client)).toHaveLength(207);
    expect(asked.map(pageOf)).toEqual([1, 2, 3]);
  });

  it("without totalCount, stops when a full page brings nothing new", async () => {
    const { client, asked, problems } = scriptedClient(() => ({ data: rows(100) }));
    expect(await collect(pagedByIndex, client)).toHaveLength(100);
    expect(asked.map(pageOf)).toEqual([1, 2]);
    expect(problems.filter((p) => p.problem === "duplicate")).toHaveLength(100);
  });

  it("without totalCount, new rows forever stop at the cap with a paging error", async () => {
    const { client, asked, problems } = scriptedClient((url) => ({ data: rows(100, pageOf(url) * 100) }));
    await expect(collect(pagedByIndex, client, 5)).rejects.toMatchObject({ reason: "paging" });
    expect(asked).toHaveLength(5);
    expect(problems.map((p) => p.problem)).toEqual(["paging"]);
  });

  it.each([1e9, 1e6])(
    "a totalCount of %d beyond the cap fails at once, without asking for the pages",
    async (total) => {
      const { client, asked } = scriptedClient(() => ({ data: rows(100), metadata: { totalCount: total } }));
      await expect(collect(pagedByIndex, client, MAX_PAGES.profiles)).rejects.toMatchObject({
        reason: "paging",
      });
      expect(asked).toHaveLength(1);
    },
  );

  it("a server that ignores pageSize and sends everything on page 1 is asked once", async () => {
    const { client, asked } = scriptedClient(() => ({ data: rows(250), metadata: { totalCount: 250 } }));
    expect(await collect(pagedByIndex, client)).toHaveLength(250);
    expect(asked).toHaveLength(1);
  });

  it("a server that ignores pageIndex is asked for one window of pages at most, not the whole promise", async () => {
    const { client, asked } = scriptedClient(() => ({ data: rows(100), metadata: { totalCount: 5000 } }));
    expect(await collect(pagedByIndex, client, MAX_PAGES.customers)).toHaveLength(100);
    expect(asked.length).toBeLessThanOrEqual(1 + PAGE_WINDOW);
  });

  it("skips malformed rows and repeated IDs, keeping their siblings", async () => {
    const { client, problems } = scriptedClient(() => ({
      data: [{ id: "a" }, { name: "no id" }, { id: "b" }, { id: "a" }, 7, null],
      metadata: { totalCount: 6 },
    }));
    const got: string[] = [];
    await pagedByIndex(
      client,
      {
        request,
        map,
        maxPages: 10,
        onPage: (p) => got.push(...p.map((r) => r.id)),
      },
      ctx,
    );
    expect(got).toEqual(["a", "b"]);
    expect(problems.map((p) => p.problem).sort()).toEqual(["duplicate", "record", "record", "record"]);
  });

  it("when a page fails, waits for the others before failing, so nothing arrives afterwards", async () => {
    const { client } = scriptedClient(async (url) => {
      const i = pageOf(url);
      if (i === 3) throw new UpstreamHttpError(500, "GET /x");
      if (i === 4) await new Promise((r) => setTimeout(r, 30));
      return { data: rows(100, (i - 1) * 100), metadata: { totalCount: 400 } };
    });
    let settled = false;
    let pages = 0;
    const done = pagedByIndex(
      client,
      {
        request,
        map,
        maxPages: 10,
        onPage: () => {
          expect(settled).toBe(false);
          pages++;
        },
      },
      ctx,
    );
    await expect(done).rejects.toBeInstanceOf(UpstreamHttpError);
    settled = true;
    expect(pages).toBe(3);
  });
});

describe("a list tells whether it is complete", () => {
  const end = (answer: Parameters<typeof scriptedClient>[0], paged = pagedByIndex) =>
    paged(scriptedClient(answer).client, { request, map, maxPages: 10, onPage: () => {} }, ctx);

  it("complete: every promised row read, none malformed", async () => {
    expect(
      await end((url) => ({
        data: rows(pageOf(url) < 3 ? 100 : 50, (pageOf(url) - 1) * 100),
        metadata: { totalCount: 250 },
      })),
    ).toEqual({ complete: true });
  });

  it("not complete: a malformed row was skipped", async () => {
    expect(
      await end(() => ({ data: [{ id: "a" }, { name: "no id" }], metadata: { totalCount: 2 } })),
    ).toEqual({ complete: false });
  });

  it("not complete: fewer rows than the total promised", async () => {
    expect(
      await end((url) => ({ data: pageOf(url) === 1 ? rows(100) : [], metadata: { totalCount: 250 } })),
    ).toEqual({ complete: false });
  });

  it("not complete: a page of repeats ended it", async () => {
    expect(await end(() => ({ data: rows(100) }))).toEqual({ complete: false });
  });

  it("a page of malformed rows is progress, not a reason to stop asking", async () => {
    const { client, asked } = scriptedClient((url) => ({
      data: pageOf(url) === 2 ? rows(100).map(() => ({ name: "no id" })) : rows(100, pageOf(url) * 100),
      metadata: { totalCount: 400 },
    }));
    const got: string[] = [];
    const result = await pagedByIndex(
      client,
      { request, map, maxPages: 10, onPage: (p) => got.push(...p.map((r) => r.id)) },
      ctx,
    );
    expect(asked.map(pageOf).sort()).toEqual([1, 2, 3, 4]);
    expect(got).toHaveLength(300);
    expect(result).toEqual({ complete: false });
  });
});

describe("OData paging", () => {
  const odata = (next: string | null, items: unknown[]) => ({ value: items, "@odata.nextLink": next });

  it.each([
    ["absolute on the same origin", "http://127.0.0.1:1/api/x?page=2", "/api/x"],
    ["relative with a leading slash", "/api/x?page=2", "/api/x"],
    ["relative without a leading slash", "x?page=2", "/api/x"],
    ["relative with an @", "@127.0.0.1:2/x?page=2", "/api/@127.0.0.1:2/x"],
  ])("follows a next link %s, resolved against the page's URL", async (_what, link, path) => {
    const { client, asked } = scriptedClient((url) =>
      url.searchParams.get("page") === "2" ? odata(null, rows(1, 100)) : odata(link, rows(100)),
    );
    expect(await collect(pagedByNextLink, client)).toHaveLength(101);
    expect(asked[1]!.origin).toBe("http://127.0.0.1:1");
    expect(asked[1]!.pathname).toBe(path);
  });

  it.each([
    ["another port", "http://127.0.0.1:2/api/x"],
    ["another host", "http://localhost:1/api/x"],
    ["another scheme", "https://127.0.0.1:1/api/x"],
    ["a protocol-relative link", "//127.0.0.1:2/api/x"],
    ["credentials", "http://user:pass@127.0.0.1:1/api/x"],
    ["a host after an @", "http://127.0.0.1:1@127.0.0.1:2/api/x"],
  ])("refuses a next link to %s without asking it", async (_what, link) => {
    const { client, asked, problems } = scriptedClient(() => odata(link, rows(10)));
    await expect(collect(pagedByNextLink, client)).rejects.toMatchObject({ reason: "unsafe_link" });
    expect(asked).toHaveLength(1);
    expect(problems.map((p) => p.problem)).toEqual(["unsafe_link"]);
  });

  it("stops at a next link pointing to itself", async () => {
    const { client, asked } = scriptedClient(() => odata("http://127.0.0.1:1/api/x", rows(10)));
    expect(await collect(pagedByNextLink, client)).toHaveLength(10);
    expect(asked).toHaveLength(2);
  });

  it("stops when a counting next link brings nothing new", async () => {
    const { client, asked } = scriptedClient((url) =>
      odata(`/api/x?page=${Number(url.searchParams.get("page") ?? 1) + 1}`, rows(10)),
    );
    expect(await collect(pagedByNextLink, client)).toHaveLength(10);
    expect(asked).toHaveLength(2);
  });

  it("stops a counting next link with new rows at the cap", async () => {
    const { client, asked } = scriptedClient((url) => {
      const page = Number(url.searchParams.get("page") ?? 1);
      return odata(`/api/x?page=${page + 1}`, rows(10, page * 10));
    });
    await expect(collect(pagedByNextLink, client, 7)).rejects.toMatchObject({ reason: "paging" });
    expect(asked).toHaveLength(7);
  });
});
