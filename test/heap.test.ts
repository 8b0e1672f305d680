import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { setHeapGrowth } from "../src/heap.js";

const HEAP = join(import.meta.dirname, "../dist/src/heap.js");

/**
 * In a fresh process: the given heap growth, a live set of ~40 MB, then batches of objects that
 * survive long enough to reach the old generation before they die — the shape of a collection.
 * Prints the largest heap V8 reserved.
 */
const peakHeapMb = (percent: number): Promise<number> => {
  const script = `
    import { setHeapGrowth } from ${JSON.stringify(pathToFileURL(HEAP).href)};
    setHeapGrowth(${percent});
    const live = Array.from({ length: 400000 }, (_, i) => ({ i, s: \`live-\${i}-\`.repeat(4) }));
    const batch = new Array(50000);
    let peak = 0;
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < batch.length; i++) batch[i] = { round, i, s: \`tmp-\${round}-\${i}\`.repeat(3) };
      await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    process.stdout.write(String(live.length > 0 ? peak / 2 ** 20 : 0));
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 240_000 }, (err, stdout) =>
      err ? reject(err) : resolve(Number(stdout)),
    );
  });
};

describe("heap growth", () => {
  it("keeps the heap close to the live data instead of V8's up-to-4× growth", async () => {
    expect(existsSync(HEAP), "run `npm run build` first (npm test does)").toBe(true);
    const [own, tuned] = await Promise.all([peakHeapMb(0), peakHeapMb(50)]);
    // Same work, same live data: only the growing factor differs (V8's own is 4 on this machine).
    expect(own).toBeGreaterThan(60);
    expect(tuned).toBeLessThan(own * 0.75);
  }, 300_000);

  it("refuses a negative or fractional percentage", () => {
    expect(() => setHeapGrowth(-1)).toThrow(RangeError);
    expect(() => setHeapGrowth(2.5)).toThrow(RangeError);
  });
});
