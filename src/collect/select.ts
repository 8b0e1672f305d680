/** Which customers this instance collects: include/exclude by ID or name glob, and its shard. */
import type { Customer } from "../avepoint/types.js";

/** FNV-1a, 32 bit: stable across processes, versions and platforms. */
export const stableHash = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
};

/** The shard of a customer ID (case-insensitive: GUIDs come in both cases). */
export const shardOf = (customerId: string, total: number): number =>
  stableHash(customerId.toLowerCase()) % total;

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );

interface Pattern {
  readonly text: string;
  readonly test: (customer: Customer) => boolean;
}

const compile = (text: string): Pattern => {
  const re = globToRegExp(text);
  return { text, test: (c) => c.id.toLowerCase() === text.toLowerCase() || re.test(c.name) };
};

export interface CustomerSelection {
  readonly accept: (customer: Customer) => boolean;
  /** Include patterns that matched no listed customer since the last call (for a warning). */
  takeUnmatched(): string[];
}

export const selectCustomers = (options: {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly shardIndex: number;
  readonly shardTotal: number;
}): CustomerSelection => {
  const include = options.include.map(compile);
  const exclude = options.exclude.map(compile);
  let matched = new Set<string>();
  return {
    accept: (customer) => {
      if (options.shardTotal > 1 && shardOf(customer.id, options.shardTotal) !== options.shardIndex)
        return false;
      if (include.length > 0) {
        const hits = include.filter((p) => p.test(customer));
        if (hits.length === 0) return false;
        for (const hit of hits) matched.add(hit.text);
      }
      return !exclude.some((p) => p.test(customer));
    },
    takeUnmatched: () => {
      const unmatched = include.filter((p) => !matched.has(p.text)).map((p) => p.text);
      matched = new Set();
      return unmatched;
    },
  };
};
