/**
 * The state file's format: newline-delimited JSON, versioned from the start.
 *
 *   line 1        header: format name, version, when saved, whose (identity hashes), the rounds'
 *                 own state and the learned rate
 *   lines 2..n+1  one customer each: its record, profiles, last success, last attempt and its time
 *   last line     trailer: the number of customers and the SHA-256 of every byte before it
 *
 * The trailer makes a truncated or altered file detectable before anything in it is used. Every line
 * is parsed into typed records here (zod), as wire data is at the client's edge: nothing deeper sees
 * unknown JSON. Older versions are migrated line by line to the current one.
 */
import { z } from "zod";
import { FAILURE_REASONS } from "../errors.js";
import { IDENTITY_FIELDS, type IdentityField } from "./identity.js";

export const FORMAT_NAME = "avepoint-exporter-state";
/** Version 1: no attempt times and no learned rate. Version 2: both. */
export const FORMAT_VERSION = 2;

const text = z.string().max(4096);
const time = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

const outcome = z.union([
  z.object({ ok: z.literal(true) }).strict(),
  z.object({ ok: z.literal(false), reason: z.enum(FAILURE_REASONS), message: text }).strict(),
]);

const customer = z
  .object({
    id: z.string().min(1).max(256),
    name: text,
    country: text,
    managementMode: z.number().int().nullable(),
    jobStatus: z.number().int().nullable(),
  })
  .strict();

const profile = z
  .object({
    id: z.string().min(1).max(256),
    name: text,
    scanMode: z.number().int().nullable(),
    tenantId: text,
    tenantDomain: text,
    modifiedTimestamp: time.nullable(),
    status: z
      .object({
        lastScanStatus: z.number().int(),
        newRegisteredObjects: count,
        movedObjects: count,
        removedObjects: count,
        dailyReportTimestamp: time.nullable(),
      })
      .strict(),
  })
  .strict();

const roundsV1 = z
  .object({
    listing: outcome.nullable(),
    listedOnce: z.boolean(),
    updatedAt: time.nullable(),
    lastComplete: z.object({ endedAt: time, durationSeconds: time }).strict().nullable(),
    lastCounts: z.object({ customers: count, done: count }).strict(),
    lastEnd: time.nullable(),
  })
  .strict();

const identity = z
  .object(
    Object.fromEntries(IDENTITY_FIELDS.map((field) => [field, z.string().max(256)])) as Record<
      IdentityField,
      z.ZodString
    >,
  )
  .strict();

const headerV1 = z
  .object({
    format: z.literal(FORMAT_NAME),
    version: z.literal(1),
    savedAt: time,
    identity,
    rounds: roundsV1,
  })
  .strict();

export const headerSchema = z
  .object({
    format: z.literal(FORMAT_NAME),
    version: z.literal(FORMAT_VERSION),
    savedAt: time,
    identity,
    rounds: roundsV1,
    rate: z.object({ rate: z.number().finite().positive(), refused: z.boolean() }).strict().nullable(),
  })
  .strict();

const customerV1 = z
  .object({
    customer,
    profiles: z.array(profile).max(100_000),
    lastSuccess: time.nullable(),
    last: outcome.nullable(),
  })
  .strict();

export const customerSchema = customerV1.extend({ lastAttemptAt: time.nullable() }).strict();

export const trailerSchema = z
  .object({ end: z.literal(true), customers: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) })
  .strict();

export type Header = z.infer<typeof headerSchema>;
export type CustomerLine = z.infer<typeof customerSchema>;
export type Trailer = z.infer<typeof trailerSchema>;

/**
 * How each earlier version's lines become the current version's: `header` and `customer` parse a
 * line of that version and return it as the current version would have written it.
 */
interface Migration {
  header(raw: unknown): Header;
  customer(raw: unknown): CustomerLine;
}

export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: {
    header: (raw) => ({ ...headerV1.parse(raw), version: FORMAT_VERSION, rate: null }),
    // An attempt time unknown: the last success is the best lower bound there is.
    customer: (raw) => {
      const line = customerV1.parse(raw);
      return { ...line, lastAttemptAt: line.lastSuccess };
    },
  },
  [FORMAT_VERSION]: {
    header: (raw) => headerSchema.parse(raw),
    customer: (raw) => customerSchema.parse(raw),
  },
};

/** The version a header claims, read before anything else of it is trusted; null when it has none. */
export const claimedVersion = (raw: unknown): number | null => {
  if (typeof raw !== "object" || raw === null) return null;
  const { format, version } = raw as { format?: unknown; version?: unknown };
  return format === FORMAT_NAME && typeof version === "number" && Number.isInteger(version) ? version : null;
};
