/**
 * The exposition of a view rendered once for every scrape that is answered the same view: concurrent
 * scrapes (or a thousand sockets that ask and never read) share one copy of the series, plain and
 * gzipped, instead of one copy each.
 */
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { View } from "../collect/view.js";
import { renderChunks } from "../metrics/render.js";

const gzip = promisify(gzipCallback);

export interface SharedBody {
  /** The rendered series, in chunks of a few hundred lines. */
  readonly plain: readonly Buffer[];
  /** The same, gzipped: one gzip member (the exporter's own metrics follow as another). */
  gzipped(): Promise<Buffer>;
}

/**
 * Identity of a view's content: views are made afresh for each scrape, but from the same records;
 * a record that changed is a new object.
 */
const identities = new WeakMap<object, number>();
let nextIdentity = 0;
const identity = (value: object | null): string => {
  if (value === null) return "-";
  let id = identities.get(value);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(value, id);
  }
  return String(id);
};

export const viewKey = (view: View): string =>
  [
    String(view.updatedAt),
    JSON.stringify(view.listing),
    JSON.stringify(view.round),
    ...view.customers.map(
      (c) =>
        `${identity(c.customer)}:${c.profiles.length === 0 ? "0" : identity(c.profiles)}:${c.lastSuccess}:${identity(c.last)}`,
    ),
  ].join("|");

/** Renders each distinct view once; keeps only the latest (older ones live on with the answers using them). */
export class SharedBodies {
  private latest: { key: string; body: Promise<SharedBody> } | null = null;
  /** How many times a view was rendered (for tests of the sharing). */
  renders = 0;

  bodyOf(view: View): Promise<SharedBody> {
    const key = viewKey(view);
    if (this.latest?.key === key) return this.latest.body;
    const body = this.render(view);
    this.latest = { key, body };
    // A failed render is not kept.
    body.catch(() => {
      if (this.latest?.body === body) this.latest = null;
    });
    return body;
  }

  private async render(view: View): Promise<SharedBody> {
    this.renders += 1;
    const plain: Buffer[] = [];
    for (const chunk of renderChunks(view)) {
      if (chunk !== "") plain.push(Buffer.from(chunk, "utf8"));
      // Between chunks other requests (health probes) are answered.
      await yieldToEventLoop();
    }
    let zipped: Promise<Buffer> | null = null;
    return {
      plain,
      gzipped: () => (zipped ??= gzip(Buffer.concat(plain))),
    };
  }
}
