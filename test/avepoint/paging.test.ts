import { describe, expect, it } from "vitest";
import type { ApiClient, JsonRequest } from "../../src/avepoint/client.js";
import { pagedByIndex } from "../../src/avepoint/flavors/paging.js";
import { UpstreamHttpError } from "../../src/errors.js";

const ctx = { signal: new AbortController().signal, deadline: Date.now() + 60_000 };
const items = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const map = (record: unknown) => record as number;

/** A client whose answers are scripted per page index. */
const client = (answer: (pageIndex: number) => Promise<unknown>) => {
  const asked: number[] = [];
  const fake = {
    json: (request: JsonRequest) => {
      const pageIndex = Number(request.query?.pageIndex);
      asked.push(pageIndex);
      return answer(pageIndex);
    },
    parseError: () => {},
  } as unknown as ApiClient;
  return { fake, asked };
};

describe("v3 paging", () => {
  it("follows totalCount, fetching the other pages in parallel", async () => {
    const { fake, asked } = client(async (i) => ({
      data: items(i < 3 ? 100 : 50, (i - 1) * 100),
      metadata: { totalCount: 250 },
    }));
    const got: number[] = [];
    await pagedByIndex(fake, { method: "GET", path: "/x", endpoint: "GET /x" }, ctx, map, (p) =>
      got.push(...p),
    );
    expect(asked).toEqual([1, 2, 3]);
    expect(got.sort((a, b) => a - b)).toEqual(items(250));
  });

  it("without totalCount, asks for the next page while pages come back full", async () => {
    const { fake, asked } = client(async (i) => ({ data: items(i < 3 ? 100 : 7, (i - 1) * 100) }));
    const got: number[] = [];
    await pagedByIndex(fake, { method: "GET", path: "/x", endpoint: "GET /x" }, ctx, map, (p) =>
      got.push(...p),
    );
    expect(asked).toEqual([1, 2, 3]);
    expect(got).toHaveLength(207);
  });

  it("when a page fails, waits for the others before failing, so nothing arrives afterwards", async () => {
    const { fake } = client(async (i) => {
      if (i === 2) throw new UpstreamHttpError(500, "GET /x");
      if (i === 3) await new Promise((r) => setTimeout(r, 30));
      return { data: items(100), metadata: { totalCount: 300 } };
    });
    const pages: number[] = [];
    let settled = false;
    const done = pagedByIndex(fake, { method: "GET", path: "/x", endpoint: "GET /x" }, ctx, map, () => {
      expect(settled).toBe(false);
      pages.push(1);
    });
    await expect(done).rejects.toBeInstanceOf(UpstreamHttpError);
    settled = true;
    expect(pages).toHaveLength(2);
  });
});
