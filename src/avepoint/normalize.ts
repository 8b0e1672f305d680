/**
 * Wire records → domain records, for every flavor: any casing of field names, `profileID`,
 * the misspelt `newRegistedContentCount`, ISO and `MM/dd/yyyy HH:mm:ss` (UTC) dates, job
 * status as number or name. Throws ParseError for a record that cannot be read.
 */
import { ParseError } from "../errors.js";
import { DOT_SEGMENT } from "./path.js";
import { SkippedList } from "./streamed-record.js";
import { JOB_STATUS_NAMES, SCAN_STATUS_NAMES } from "./types.js";
import type { Customer, DailyProfile, ProfileStatus, ScanProfile } from "./types.js";

/**
 * Field access by canonical camelCase name that also finds `PascalCase` and any other casing
 * (`profileID`). The exact spellings are tried first; a lower-cased index of the record is built
 * only when they miss, so the common case allocates nothing per record.
 */
class Fields {
  private lower: Map<string, unknown> | null = null;

  constructor(private readonly record: Readonly<Record<string, unknown>>) {}

  get(name: string): unknown {
    const exact = this.record[name] ?? this.record[name.charAt(0).toUpperCase() + name.slice(1)];
    if (exact !== undefined && exact !== null) return exact;
    this.lower ??= new Map(Object.entries(this.record).map(([key, value]) => [key.toLowerCase(), value]));
    return this.lower.get(name.toLowerCase()) ?? undefined;
  }
}

const fieldsOf = (record: unknown, endpoint: string): Fields => {
  if (typeof record !== "object" || record === null || Array.isArray(record))
    throw new ParseError(`expected an object, got ${describe(record)}`, endpoint);
  return new Fields(record as Record<string, unknown>);
};

const pick = (fields: Fields, ...names: string[]): unknown => {
  for (const name of names) {
    const value = fields.get(name);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
};

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;

/** Longest free text kept (names, tenant, country): label values, not documents. */
export const MAX_TEXT = 1024;
/** Longest ID accepted: real IDs are GUIDs (36 characters). */
export const MAX_ID = 256;

const text = (value: unknown): string => {
  const s = typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
  return s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT - 1)}…`;
};

/** A code (mode, kind) this version may not know by every spelling: unreadable is unknown, not a bad row. */
const optionalCode = (fields: Fields, endpoint: string, name: string): number | null => {
  try {
    return integer(fields, endpoint, name) ?? null;
  } catch {
    return null;
  }
};

const requiredId = (fields: Fields, endpoint: string, what: string, ...names: string[]): string => {
  const value = pick(fields, ...names);
  if (typeof value !== "string" || value.trim() === "")
    throw new ParseError(`${what} without ${names[0]} (got ${describe(value)})`, endpoint);
  // An ID becomes a path segment of later requests and a label value: a dot segment, a control
  // character, a lone surrogate (written as U+FFFD, two IDs would share one series) or an
  // unreasonably long string is no ID.
  if (
    value.length > MAX_ID ||
    DOT_SEGMENT.test(value) ||
    /\p{Cs}/u.test(value) ||
    [...value].some((ch) => ch < " " || ch === "\u007f")
  )
    throw new ParseError(`${what} with an unusable ${names[0]} ${JSON.stringify(value)}`, endpoint);
  return value;
};

/** A count or code: a number, or a string of digits. Undefined when absent; ParseError when unreadable. */
const integer = (fields: Fields, endpoint: string, ...names: string[]): number | undefined => {
  const value = pick(fields, ...names);
  if (value === undefined || value === "") return undefined;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^-?\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n))
    throw new ParseError(`${names[0]} is not a whole number: ${JSON.stringify(value)}`, endpoint);
  return n;
};

/** The length of an object list (held, or skipped as it streamed); undefined when there is none. */
const listLength = (fields: Fields, ...names: string[]): number | undefined => {
  const value = pick(fields, ...names);
  if (value instanceof SkippedList || Array.isArray(value)) return value.length;
  return undefined;
};

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch ms of a calendar date and time, or NaN when any part is out of range: `02/30/2024` or
 * `25:61` are refused, never rolled over into the next day or month as Date.UTC would.
 */
const utcMs = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number => {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  const exact =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === second;
  return exact ? ms : NaN;
};

/** A zone suffix (`Z`, `+02:00`, `-0530`) as minutes east of UTC. */
const zoneMinutes = (zone: string | undefined): number => {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  return hours > 23 || minutes > 59 ? NaN : sign * (hours * 60 + minutes);
};

/**
 * ISO 8601 (a missing zone means UTC) or `MM/dd/yyyy HH:mm:ss` (UTC) → Unix seconds; null when
 * absent. Impossible dates and times are refused, not rolled over.
 * @throws ParseError for anything else.
 */
export const parseTimestamp = (value: unknown, field: string, endpoint: string): number | null => {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string")
    throw new ParseError(`${field} is not a date: ${JSON.stringify(value)}`, endpoint);
  const trimmed = value.trim();
  let ms = NaN;
  const us = US_DATE.exec(trimmed);
  const iso = us ? null : ISO_DATE.exec(trimmed);
  if (us) {
    const [month, day, year, hour, minute, second] = us.slice(1).map((part) => Number(part ?? 0)) as number[];
    ms = utcMs(year!, month!, day!, hour!, minute!, second!);
  } else if (iso) {
    const [year, month, day, hour, minute, second] = iso
      .slice(1, 7)
      .map((part) => Number(part ?? 0)) as number[];
    const fraction = /\.(\d+)/.exec(trimmed)?.[1];
    ms =
      utcMs(year!, month!, day!, hour!, minute!, second!) -
      zoneMinutes(iso[7]) * 60_000 +
      (fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0);
  }
  if (!Number.isFinite(ms))
    throw new ParseError(`${field} is not a date: ${JSON.stringify(value)}`, endpoint);
  return ms / 1000;
};

/** The code given to a status *name* that is not known; shown as state "unknown". */
export const UNKNOWN_STATUS = -1;

const squash = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, "");
const JOB_STATUS_BY_NAME = new Map<string, number>(
  Object.entries(JOB_STATUS_NAMES).map(([code, name]) => [squash(name), Number(code)]),
);
const SCAN_STATUS_BY_NAME = new Map<string, number>(
  Object.entries(SCAN_STATUS_NAMES).map(([code, name]) => [squash(name), Number(code)]),
);

/** A code that may arrive as a number, a numeric string or a name ("Working", "FinishedWithException"). */
const code = (
  fields: Fields,
  byName: ReadonlyMap<string, number>,
  endpoint: string,
  ...names: string[]
): number | undefined => {
  const value = pick(fields, ...names);
  if (typeof value === "string" && !/^-?\d+$/.test(value.trim())) {
    const known = byName.get(squash(value));
    if (known === undefined)
      throw new ParseError(`${names[0]} has an unknown name: ${JSON.stringify(value)}`, endpoint);
    return known;
  }
  return integer(fields, endpoint, ...names);
};

export const normalizeCustomer = (record: unknown, endpoint: string): Customer => {
  const f = fieldsOf(record, endpoint);
  let jobStatus: number | null;
  try {
    jobStatus = code(f, JOB_STATUS_BY_NAME, endpoint, "jobStatus") ?? null;
  } catch {
    // A job status this version does not know must not hide the customer's scan profiles.
    jobStatus = null;
  }
  return {
    id: requiredId(f, endpoint, "customer", "id", "customerId"),
    name: text(pick(f, "organization", "name", "customerName")),
    country: text(pick(f, "countryOrRegion", "country")),
    managementMode: optionalCode(f, endpoint, "managementMode"),
    jobStatus,
  };
};

/**
 * The status part of a list row or daily record: present only when the status and all three
 * counts are; `required` turns an incomplete record into a ParseError (daily endpoints).
 */
const normalizeStatus = (fields: Fields, endpoint: string, required: boolean): ProfileStatus | null => {
  let lastScanStatus: number | undefined;
  try {
    lastScanStatus = code(fields, SCAN_STATUS_BY_NAME, endpoint, "lastScanStatus");
  } catch {
    // A status name this version does not know: kept as unknown, never a failure.
    lastScanStatus = UNKNOWN_STATUS;
  }
  // The count field wins over its list; the list's length stands in only when the count is missing.
  const newRegisteredObjects =
    integer(fields, endpoint, "newRegisteredContentCount", "newRegistedContentCount") ??
    listLength(fields, "newRegisteredContent", "newRegistedContent");
  const movedObjects =
    integer(fields, endpoint, "movedToAnotherContainer", "movedToAnotherContainerCount") ??
    listLength(fields, "movedToAnotherContainerObjects");
  const removedObjects =
    integer(
      fields,
      endpoint,
      "removedFromMicrosoft365OrOutofPolicy",
      "removedFromMicrosoft365OrOutofPolicyCount",
    ) ?? listLength(fields, "removedFromMicrosoft365OrOutOfPolicyObjects");
  if (
    lastScanStatus === undefined ||
    newRegisteredObjects === undefined ||
    movedObjects === undefined ||
    removedObjects === undefined
  ) {
    if (!required) return null;
    const missing = [
      lastScanStatus === undefined && "lastScanStatus",
      newRegisteredObjects === undefined && "newRegisteredContentCount",
      movedObjects === undefined && "movedToAnotherContainer",
      removedObjects === undefined && "removedFromMicrosoft365OrOutofPolicy",
    ].filter(Boolean);
    throw new ParseError(`daily record without ${missing.join(", ")}`, endpoint);
  }
  return {
    lastScanStatus,
    newRegisteredObjects,
    movedObjects,
    removedObjects,
    dailyReportTimestamp: parseTimestamp(pick(fields, "lastUpdateTime"), "lastUpdateTime", endpoint),
  };
};

/** Any profile record; `statusRequired` makes a missing status or count a ParseError. */
const profileOf = (f: Fields, endpoint: string, statusRequired: boolean): ScanProfile => ({
  id: requiredId(f, endpoint, "scan profile", "profileId", "id"),
  name: text(pick(f, "profileName", "name")),
  scanMode: optionalCode(f, endpoint, "scanMode"),
  tenantId: text(pick(f, "tenantId")),
  tenantDomain: text(pick(f, "tenantDomain")),
  modifiedTimestamp: parseTimestamp(pick(f, "modifiedTime"), "modifiedTime", endpoint),
  status: normalizeStatus(f, endpoint, statusRequired),
});

/** A scan profile list row (status null when the row does not carry it). */
export const normalizeProfile = (record: unknown, endpoint: string): ScanProfile =>
  profileOf(fieldsOf(record, endpoint), endpoint, false);

/** A daily-changes record (v3 scan-profiles-v2, modern daily, v3-batch /changes): status required. */
export const normalizeDaily = (record: unknown, endpoint: string): DailyProfile =>
  profileOf(fieldsOf(record, endpoint), endpoint, true) as DailyProfile;

/** The items of a list answer: v3 `data` + `metadata.totalCount`, or OData `value` + next link. */
export const readPage = (
  body: unknown,
  endpoint: string,
): { items: readonly unknown[]; totalCount: number | null; nextLink: string | null } => {
  const f = fieldsOf(body, endpoint);
  const items = pick(f, "data", "value");
  if (!Array.isArray(items)) throw new ParseError(`list answer without data or value array`, endpoint);
  const meta = pick(f, "metadata");
  let totalCount: number | null = null;
  if (meta !== undefined) totalCount = integer(fieldsOf(meta, endpoint), endpoint, "totalCount") ?? null;
  const next = pick(f, "@odata.nextLink", "nextLink", "odata.nextLink");
  return { items, totalCount, nextLink: typeof next === "string" && next !== "" ? next : null };
};
