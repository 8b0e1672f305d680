/** The state file: written atomically and privately, read back whole, and never trusted when in doubt. */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FORMAT_NAME } from "../../src/state/format.js";
import { identityOf } from "../../src/state/identity.js";
import { readState, STATE_FILE, writeState, type ReadOptions } from "../../src/state/file.js";
import { CONFIG, content, IDENTITY, SAVED_AT, snapshot, tempDir } from "./fixtures.js";

const options: ReadOptions = { identity: IDENTITY, now: SAVED_AT + 30 };

const written = async (): Promise<{ dir: string; path: string; text: string }> => {
  const dir = tempDir();
  await writeState(dir, content());
  const path = join(dir, STATE_FILE);
  return { dir, path, text: readFileSync(path, "utf8") };
};

/** Lines with a trailer that matches them: a file that passes the checksum, whatever it says. */
const sealed = (lines: readonly string[], customers = lines.length - 1): string => {
  const body = lines.map((line) => `${line}\n`).join("");
  const sha256 = createHash("sha256").update(body).digest("hex");
  return `${body}${JSON.stringify({ end: true, customers, sha256 })}\n`;
};

const headerOf = (text: string): Record<string, unknown> =>
  JSON.parse(text.split("\n")[0]!) as Record<string, unknown>;

const resealWithHeader = (text: string, change: (header: Record<string, unknown>) => void): string => {
  const lines = text.split("\n").slice(0, -2);
  const header = headerOf(text);
  change(header);
  return sealed([JSON.stringify(header), ...lines.slice(1)]);
};

describe("the state file", () => {
  it("reads back what was written: customers, failures, ages, attempt times, the rounds and the rate", async () => {
    const { dir } = await written();
    const read = readState(dir, options);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.migratedFrom).toBeNull();
    expect(read.content).toEqual(content());
  });

  it("is private to its user (mode 0600) and leaves no temporary file behind", async () => {
    const { dir, path } = await written();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([STATE_FILE]);
  });

  it("holds no secret and no client ID, only hashes of the identity", async () => {
    const { text } = await written();
    expect(text).not.toContain(CONFIG.avepoint.clientId);
    expect(text).not.toContain(CONFIG.avepoint.apiUrl);
    expect(text).not.toMatch(/secret|authorization|bearer|token"/i);
  });

  it("keeps the old file when a save fails (its temporary file cannot be made)", async () => {
    const { dir, text } = await written();
    // A directory where the temporary file goes: the same failure for root and for anyone else.
    mkdirSync(join(dir, `.${STATE_FILE}.${process.pid}.tmp`));
    await expect(writeState(dir, content(5))).rejects.toMatchObject({ code: "EISDIR" });
    expect(readFileSync(join(dir, STATE_FILE), "utf8")).toBe(text);
  });

  it("reads a file of format version 1 (an earlier release) and migrates it", () => {
    const dir = tempDir();
    const { customers, ...rounds } = snapshot(2);
    const header = { format: FORMAT_NAME, version: 1, savedAt: SAVED_AT, identity: IDENTITY, rounds };
    const lines = customers.map(({ lastAttemptAt: _, ...rest }) => JSON.stringify(rest));
    writeFileSync(join(dir, STATE_FILE), sealed([JSON.stringify(header), ...lines]));
    const read = readState(dir, options);
    expect(read).toMatchObject({ ok: true, migratedFrom: 1 });
    if (!read.ok) return;
    expect(read.content.rate).toBeNull();
    expect(read.content.rounds.customers).toHaveLength(2);
    expect(read.content.rounds.customers[1]).toMatchObject({
      customer: { id: "c1" },
      last: { ok: false, reason: "http_5xx" },
      lastAttemptAt: customers[1]!.lastSuccess,
    });
  });

  it("says missing when nothing was kept yet", () => {
    expect(readState(tempDir(), options)).toMatchObject({ ok: false, reason: "missing" });
  });

  type Case = [string, string, (text: string) => string | Buffer, ReadOptions?];
  const foreign = (
    change: Record<string, string | null>,
    shard: { index: number; total: number } = CONFIG.shard,
  ): ReadOptions => ({
    ...options,
    identity: identityOf({ avepoint: { ...CONFIG.avepoint, ...change }, shard } as never),
  });
  const cases: Case[] = [
    ["empty", "empty", () => ""],
    ["only blanks", "empty", () => "\n\n"],
    ["cut in the middle", "truncated", (text) => text.slice(0, Math.floor(text.length / 2))],
    ["cut before its trailer", "truncated", (text) => text.split("\n").slice(0, -2).join("\n") + "\n"],
    ["a byte changed", "corrupt", (text) => text.replace('"Customer c1"', '"Customer c9"')],
    ["not JSON at all", "truncated", () => "\u0000\u0001garbage\n"],
    [
      "a line missing (the trailer's count)",
      "corrupt",
      (text) => {
        const lines = text.split("\n").slice(0, -2);
        lines.splice(1, 1);
        return sealed(lines, 3);
      },
    ],
    ["a future version", "unknown_version", (text) => resealWithHeader(text, (h) => (h.version = 99))],
    ["another program's file", "corrupt", (text) => resealWithHeader(text, (h) => (h.format = "other"))],
    [
      "a header that is not the version's schema",
      "corrupt",
      (text) => resealWithHeader(text, (h) => (h.rounds = "nope")),
    ],
    [
      "a customer line that is not the schema",
      "corrupt",
      (text) => {
        const lines = text.split("\n").slice(0, -2);
        lines[2] = JSON.stringify({ customer: { id: 5 } });
        return sealed(lines);
      },
    ],
    [
      "dated in the future",
      "future_dated",
      (text) => resealWithHeader(text, (h) => (h.savedAt = SAVED_AT + 86_400)),
    ],
    ["another API URL", "foreign", (text) => text, foreign({ apiUrl: "https://other.example" })],
    ["another token URL", "foreign", (text) => text, foreign({ tokenUrl: "https://id.other/t" })],
    ["another client ID", "foreign", (text) => text, foreign({ clientId: "client-2" })],
    ["another flavor", "foreign", (text) => text, foreign({ flavor: "modern" } as never)],
    ["another region", "foreign", (text) => text, foreign({ region: "we" } as never)],
    ["another shard", "foreign", (text) => text, foreign({}, { index: 1, total: 2 })],
    ["over the size bound", "too_large", (text) => text, { ...options, maxBytes: 100 }],
  ];

  it.each(cases)("sets aside a file %s (%s), naming why", async (_name, reason, spoil, opts = options) => {
    const { dir, path, text } = await written();
    writeFileSync(path, spoil(text));
    const read = readState(dir, opts);
    expect(read).toMatchObject({ ok: false, reason });
    if (!read.ok) expect(read.detail.length).toBeGreaterThan(0);
  });

  it("names the fields of a foreign identity, not their values", async () => {
    const { dir } = await written();
    const read = readState(dir, foreign({ clientId: "client-2", apiUrl: "https://other.example" }));
    expect(read).toMatchObject({
      ok: false,
      reason: "foreign",
      detail: "written for another api_url, client_id",
    });
  });

  it("says unreadable when the file cannot be read", () => {
    const dir = tempDir();
    mkdirSync(join(dir, STATE_FILE));
    expect(readState(dir, options)).toMatchObject({ ok: false, reason: "unreadable" });
  });
});
