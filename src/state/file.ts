/**
 * Writing and reading the state file. Writing is atomic (a temporary file in the same directory,
 * fsync, rename, fsync of the directory: a crash leaves the old file or the new one, never half of
 * one) and done in slices that yield to the event loop, so that scrapes are answered during a save of
 * a large fleet. Reading trusts nothing: size, trailer, checksum, version, identity and every line
 * are checked before anything is used, and any doubt is a reason, never an exception.
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { RoundsSnapshot } from "../collect/rounds.js";
import type { LearnedRate } from "../avepoint/adaptive-rate.js";
import type { Customer } from "../avepoint/types.js";
import type { Profile } from "../collect/view.js";
import {
  claimedVersion,
  FORMAT_NAME,
  FORMAT_VERSION,
  MIGRATIONS,
  trailerSchema,
  type CustomerLine,
  type Header,
} from "./format.js";
import { foreignFields, type StateIdentity } from "./identity.js";

export const STATE_FILE = "state.ndjson";

/** Customers serialised between two yields to the event loop. */
const SLICE = 100;
/** A state written up to this far in the future (clock skew between hosts) is still believed. */
const FUTURE_SLACK_SECONDS = 300;
/** Default bound of the state file: far above 10,000 customers × 5 profiles (about 10 MiB). */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

export interface StateContent {
  readonly savedAt: number;
  readonly identity: StateIdentity;
  readonly rounds: RoundsSnapshot;
  readonly rate: LearnedRate | null;
}

/** Why a kept state was not used. */
export const REJECT_REASONS = [
  "empty",
  "truncated",
  "corrupt",
  "unknown_version",
  "future_dated",
  "foreign",
  "too_large",
  "unreadable",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type ReadResult =
  | {
      readonly ok: true;
      readonly content: StateContent;
      readonly bytes: number;
      readonly migratedFrom: number | null;
    }
  | { readonly ok: false; readonly reason: RejectReason | "missing"; readonly detail: string };

/** The fields the format keeps, whatever else a record carries in memory. */
const customerRecord = (c: Customer): CustomerLine["customer"] => ({
  id: c.id,
  name: c.name,
  country: c.country,
  managementMode: c.managementMode,
  jobStatus: c.jobStatus,
});

const profileRecord = (p: Profile): CustomerLine["profiles"][number] => ({
  id: p.id,
  name: p.name,
  scanMode: p.scanMode,
  tenantId: p.tenantId,
  tenantDomain: p.tenantDomain,
  modifiedTimestamp: p.modifiedTimestamp,
  status: {
    lastScanStatus: p.status.lastScanStatus,
    newRegisteredObjects: p.status.newRegisteredObjects,
    movedObjects: p.status.movedObjects,
    removedObjects: p.status.removedObjects,
    dailyReportTimestamp: p.status.dailyReportTimestamp,
  },
});

export interface WriteResult {
  readonly bytes: number;
}

/**
 * Writes the state atomically, `SLICE` customers at a time with a yield between slices.
 * @throws the file system's error (ENOSPC, EROFS, EACCES, ...); the old file is then untouched.
 */
export const writeState = async (dir: string, content: StateContent): Promise<WriteResult> => {
  const target = join(dir, STATE_FILE);
  const temporary = join(dir, `.${STATE_FILE}.${process.pid}.tmp`);
  const hash = createHash("sha256");
  let bytes = 0;
  const handle = await open(temporary, "w", 0o600);
  try {
    const put = async (text: string): Promise<void> => {
      hash.update(text);
      bytes += Buffer.byteLength(text);
      await handle.write(text);
    };
    const { customers, ...rounds } = content.rounds;
    const header: Header = {
      format: FORMAT_NAME,
      version: FORMAT_VERSION,
      savedAt: content.savedAt,
      identity: content.identity,
      rounds,
      rate: content.rate,
    };
    await put(`${JSON.stringify(header)}\n`);
    for (let from = 0; from < customers.length; from += SLICE) {
      let slice = "";
      for (const kept of customers.slice(from, from + SLICE)) {
        const line: CustomerLine = {
          customer: customerRecord(kept.customer),
          profiles: kept.profiles.map(profileRecord),
          lastSuccess: kept.lastSuccess,
          last: kept.last,
          lastAttemptAt: kept.lastAttemptAt,
        };
        slice += `${JSON.stringify(line)}\n`;
      }
      await put(slice);
      await yieldToLoop();
    }
    const trailer = { end: true, customers: customers.length, sha256: hash.digest("hex") };
    const last = `${JSON.stringify(trailer)}\n`;
    bytes += Buffer.byteLength(last);
    await handle.write(last);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(temporary, { force: true }).catch(() => {});
    throw err;
  }
  await handle.close();
  try {
    await rename(temporary, target);
  } catch (err) {
    await rm(temporary, { force: true }).catch(() => {});
    throw err;
  }
  await syncDirectory(dir);
  return { bytes };
};

/** Makes the rename durable; a file system that cannot sync a directory (some network ones) is let be. */
const syncDirectory = async (dir: string): Promise<void> => {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM" && code !== "ENOTSUP") throw err;
  } finally {
    await handle?.close();
  }
};

export interface ReadOptions {
  readonly identity: StateIdentity;
  /** Epoch seconds now. */
  readonly now: number;
  readonly maxBytes?: number;
}

const fail = (reason: RejectReason | "missing", detail: string): ReadResult => ({
  ok: false,
  reason,
  detail,
});

const firstLine = (issue: unknown): string =>
  (issue instanceof Error ? issue.message : String(issue)).split("\n")[0]!.slice(0, 200);

/**
 * Reads the state file at start (synchronously: nothing is served before it is done). Never throws:
 * a missing, unreadable or untrustworthy file is a reason.
 */
export const readState = (dir: string, options: ReadOptions): ReadResult => {
  const path = join(dir, STATE_FILE);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let data: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const size = fstatSync(fd).size;
    if (size > maxBytes) return fail("too_large", `${size} bytes, more than the bound of ${maxBytes}`);
    data = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, data, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    data = data.subarray(0, read);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail("missing", "no state kept yet");
    return fail("unreadable", `${code ?? "error"}: ${firstLine(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return parseState(data, options);
};

/** The checks of readState on a file's bytes. */
export const parseState = (data: Buffer, options: ReadOptions): ReadResult => {
  if (data.every((byte) => byte === 0x0a || byte === 0x0d || byte === 0x20 || byte === 0x09))
    return fail("empty", "the file is empty");
  if (data[data.length - 1] !== 0x0a) return fail("truncated", "the file does not end with a complete line");
  const end = data.lastIndexOf(0x0a, data.length - 2);
  const body = data.subarray(0, end + 1);
  let trailer;
  try {
    trailer = trailerSchema.safeParse(JSON.parse(data.subarray(end + 1).toString("utf8")));
  } catch {
    trailer = null;
  }
  if (trailer === null || !trailer.success) return fail("truncated", "the file ends without its trailer");
  if (createHash("sha256").update(body).digest("hex") !== trailer.data.sha256)
    return fail("corrupt", "the checksum does not match the content");
  const lines = body.toString("utf8").split("\n");
  lines.pop();
  const [headerLine, ...customerLines] = lines;
  if (headerLine === undefined || customerLines.length !== trailer.data.customers)
    return fail("corrupt", `${customerLines.length} customers, the trailer says ${trailer.data.customers}`);
  let rawHeader: unknown;
  try {
    rawHeader = JSON.parse(headerLine);
  } catch (err) {
    return fail("corrupt", `header: ${firstLine(err)}`);
  }
  const version = claimedVersion(rawHeader);
  if (version === null) return fail("corrupt", `the header is not that of an ${FORMAT_NAME} file`);
  const migration = MIGRATIONS[version];
  if (migration === undefined)
    return fail("unknown_version", `version ${version}; this release reads 1 to ${FORMAT_VERSION}`);
  let header: Header;
  try {
    header = migration.header(rawHeader);
  } catch (err) {
    return fail("corrupt", `header: ${firstLine(err)}`);
  }
  if (header.savedAt > options.now + FUTURE_SLACK_SECONDS)
    return fail(
      "future_dated",
      `saved at ${new Date(header.savedAt * 1000).toISOString()}, after now (${new Date(options.now * 1000).toISOString()})`,
    );
  const foreign = foreignFields(header.identity, options.identity);
  if (foreign.length > 0) return fail("foreign", `written for another ${foreign.join(", ")}`);
  const customers = [];
  for (const [index, line] of customerLines.entries()) {
    try {
      customers.push(migration.customer(JSON.parse(line)));
    } catch (err) {
      return fail("corrupt", `customer line ${index + 2}: ${firstLine(err)}`);
    }
  }
  const { rate, savedAt, identity, rounds } = header;
  return {
    ok: true,
    bytes: data.length,
    migratedFrom: version === FORMAT_VERSION ? null : version,
    content: { savedAt, identity, rate, rounds: { ...rounds, customers } },
  };
};
