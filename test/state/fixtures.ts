/** A small kept state and the identity it belongs to, for the state tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import type { RoundsSnapshot } from "../../src/collect/rounds.js";
import { identityOf } from "../../src/state/identity.js";
import type { StateContent } from "../../src/state/file.js";
import { customer, dailyProfile } from "../helpers/records.js";

/** Epoch seconds the fixture's state was saved at. */
export const SAVED_AT = 1_800_000_000;

export const CONFIG = {
  avepoint: {
    apiUrl: "https://api.example",
    tokenUrl: "https://id.example/connect/token",
    clientId: "client-1",
    flavor: "v3",
    region: null,
  },
  shard: { index: 0, total: 1 },
} as const;

export const IDENTITY = identityOf(CONFIG as never);

export const snapshot = (customers = 3): RoundsSnapshot => ({
  listing: { ok: true },
  listedOnce: true,
  updatedAt: SAVED_AT - 5,
  lastComplete: { endedAt: SAVED_AT - 60, durationSeconds: 30 },
  lastCounts: { customers, done: customers },
  lastEnd: (SAVED_AT - 60) * 1000,
  customers: Array.from({ length: customers }, (_, i) => ({
    customer: customer(`c${i}`),
    profiles: [dailyProfile(`c${i}-p0`), dailyProfile(`c${i}-p1`, i === 0 ? 3 : 2)],
    lastSuccess: SAVED_AT - 100 - i,
    last: i === 1 ? { ok: false, reason: "http_5xx", message: "HTTP 503" } : { ok: true },
    lastAttemptAt: SAVED_AT - 10 - i,
  })),
});

export const content = (customers = 3): StateContent => ({
  savedAt: SAVED_AT,
  identity: IDENTITY,
  rounds: snapshot(customers),
  rate: { rate: 7.5, refused: true },
});

/** A directory of its own for the running test, removed when it finishes. */
export const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "avepoint-state-test-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};
