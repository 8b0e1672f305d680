/** Seeded PRNG (mulberry32): fast, small, and the same sequence on every platform. */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  u32(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Lower-case RFC 4122 version-4 style GUID. */
  guid(): string;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hexByte = (n: number): string => HEX_BYTES[n & 0xff] ?? "00";
const hex16 = (n: number): string => hexByte(n >>> 8) + hexByte(n);
const hex32 = (n: number): string => hex16(n >>> 16) + hex16(n & 0xffff);

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const u32 = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => u32() / 4294967296;
  return {
    next,
    u32,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
    guid() {
      const a = u32();
      const b = u32();
      const c = u32();
      const d = u32();
      // Version 4 in the third group, RFC 4122 variant in the fourth.
      const b2 = (b & 0xffff0fff) | 0x4000;
      const c2 = ((c & 0x3fffffff) | 0x80000000) >>> 0;
      return (
        hex32(a) +
        "-" +
        hex16(b2 >>> 16) +
        "-" +
        hex16(b2 & 0xffff) +
        "-" +
        hex16(c2 >>> 16) +
        "-" +
        hex16(c2 & 0xffff) +
        hex32(d)
      );
    },
  };
}

/** FNV-1a over the parts: derives independent sub-seeds ("seed 1, stream 'faults'"). */
export function hashSeed(...parts: readonly (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = `${String(part)}\u0000`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}
