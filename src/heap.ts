/**
 * Heap sizing. V8 lets the old generation grow to up to 4 × the data that survived the last full
 * collection on a machine with plenty of memory; at thousands of customers that is most of the
 * exporter's resident memory, and almost all of it garbage. A fixed growing factor (like Go's GOGC)
 * keeps the heap proportional to what is live, for a few more short full collections.
 */
import { setFlagsFromString } from "node:v8";

/**
 * Sets V8's heap growing factor to 1 + percent / 100 for the rest of the process; 0 changes nothing.
 * V8 reads the value at every full collection, so setting it once at start-up is enough.
 */
export const setHeapGrowth = (percent: number): void => {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growth ${percent}% is not valid`);
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
};
