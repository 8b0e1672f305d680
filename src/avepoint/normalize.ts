/**
 * Wire records → domain records, for every flavor: any casing of field names, `profileID`,
 * the misspelt `newRegistedContentCount`, ISO and `MM/dd/yyyy HH:mm:ss` (UTC) dates, job
 * status as number or name. Throws ParseError for a record that cannot be read.
 */
import { ParseError } from "../errors.js";
import { JOB_STATUS_NAMES, SCAN_STATUS_NAMES } from "./types.js";
import type { Customer, DailyProfile, ProfileStatus, ScanProfile } from "./types.js";

type Fields = ReadonlyMap<string, unknown>;

/** Field names compared case-insensitively: `ProfileName`, `profileName` and `profileID` all match. */
const fieldsOf = (record: unknown, endpoint: string): Fields => {
  if (typeof record !== "object" || record === null || Array.isArray(record))
    throw new ParseError(`expected an object, got ${describe(record)}`, endpoint);
  const fields = new Map<string, unknown>();
  for (const [key, value] of Object.entries(record)) fields.set(key.toLowerCase(), value);
  return fields;
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

const text = (value: unknown): string =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : "";

const requiredId = (fields: Fields, endpoint: string, what: string, ...names: string[]): string => {
  const value = pick(fields, ...names);
  if (typeof value !== "string" || value.trim() === "")
    throw new ParseError(`${what} without ${names[0]} (got ${describe(value)})`, endpoint);
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

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** ISO 8601 (a missing zone means UTC) or `MM/dd/yyyy HH:mm:ss` (UTC) → Unix seconds; null when absent. */
export const parseTimestamp = (value: unknown, field: string, endpoint: string): number | null => {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string")
    throw new ParseError(`${field} is not a date: ${JSON.stringify(value)}`, endpoint);
  const trimmed = value.trim();
  const us = US_DATE.exec(trimmed);
  let ms: number;
  if (us) {
    const [, month, day, year, hour, minute, second] = us.map(Number) as number[];
    ms = Date.UTC(year!, month! - 1, day!, hour!, minute!, second || 0);
  } else {
    ms = Date.parse(ISO_NO_ZONE.test(trimmed) ? `${trimmed}Z` : trimmed);
  }
  if (!Number.isFinite(ms))
    throw new ParseError(`${field} is not a date: ${JSON.stringify(value)}`, endpoint);
  return ms / 1000;
};

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
    jobStatus = code(f, JOB_STATUS_BY_NAME, endpoint, "jobstatus") ?? null;
  } catch {
    // A job status this version does not know must not hide the customer's scan profiles.
    jobStatus = null;
  }
  return {
    id: requiredId(f, endpoint, "customer", "id", "customerid"),
    name: text(pick(f, "organization", "name", "customername")),
    country: text(pick(f, "countryorregion", "country")),
    managementMode: integer(f, endpoint, "managementmode") ?? null,
    jobStatus,
  };
};

/**
 * The status part of a list row or daily record: present only when the status and all three
 * counts are; `required` turns an incomplete record into a ParseError (daily endpoints).
 */
export const normalizeStatus = (
  fields: Fields,
  endpoint: string,
  required: boolean,
): ProfileStatus | null => {
  const lastScanStatus = code(fields, SCAN_STATUS_BY_NAME, endpoint, "lastscanstatus");
  const newRegisteredObjects = integer(
    fields,
    endpoint,
    "newregisteredcontentcount",
    "newregistedcontentcount",
  );
  const movedObjects = integer(fields, endpoint, "movedtoanothercontainer", "movedtoanothercontainercount");
  const removedObjects = integer(
    fields,
    endpoint,
    "removedfrommicrosoft365oroutofpolicy",
    "removedfrommicrosoft365oroutofpolicycount",
  );
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
    dailyReportTimestamp: parseTimestamp(pick(fields, "lastupdatetime"), "lastUpdateTime", endpoint),
  };
};

/** A scan profile list row (status null when the row does not carry it). */
export const normalizeProfile = (record: unknown, endpoint: string): ScanProfile => {
  const f = fieldsOf(record, endpoint);
  return {
    id: requiredId(f, endpoint, "scan profile", "profileid", "id"),
    name: text(pick(f, "profilename", "name")),
    scanMode: integer(f, endpoint, "scanmode") ?? null,
    tenantId: text(pick(f, "tenantid")),
    tenantDomain: text(pick(f, "tenantdomain")),
    modifiedTimestamp: parseTimestamp(pick(f, "modifiedtime"), "modifiedTime", endpoint),
    status: normalizeStatus(f, endpoint, false),
  };
};

/** A daily-changes record (v3 scan-profiles-v2, modern daily, v3-batch /changes): status required. */
export const normalizeDaily = (record: unknown, endpoint: string): DailyProfile => {
  const profile = normalizeProfile(record, endpoint);
  const status = normalizeStatus(fieldsOf(record, endpoint), endpoint, true);
  return { ...profile, status: status! };
};

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
  if (meta !== undefined) totalCount = integer(fieldsOf(meta, endpoint), endpoint, "totalcount") ?? null;
  const next = pick(f, "@odata.nextlink", "nextlink", "odata.nextlink");
  return { items, totalCount, nextLink: typeof next === "string" && next !== "" ? next : null };
};
