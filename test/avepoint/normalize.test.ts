import { describe, expect, it } from "vitest";
import {
  normalizeCustomer,
  normalizeDaily,
  normalizeProfile,
  parseTimestamp,
  readPage,
} from "../../src/avepoint/normalize.js";
import { ParseError } from "../../src/errors.js";

const E = "GET /test";
const ts = (iso: string): number => Date.parse(iso) / 1000;

const daily = {
  profileName: "Default Microsoft 365 Scan Profile",
  profileId: "47dba9a1-1004-4c2d-b2ce-8f5e66f5842d",
  tenantDomain: "v0s40",
  tenantId: "c2350b99-c7a2-4605-b7d4-79e8646f66c3",
  scanMode: 0,
  modifiedTime: "2025-09-11T03:19:14Z",
  lastUpdateTime: "2025-09-11T03:19:14Z",
  lastScanStatus: 2,
  newRegisteredContentCount: 5,
  movedToAnotherContainer: 6,
  removedFromMicrosoft365OrOutofPolicy: 7,
};
const expected = {
  id: daily.profileId,
  name: daily.profileName,
  scanMode: 0,
  tenantId: daily.tenantId,
  tenantDomain: "v0s40",
  modifiedTimestamp: ts("2025-09-11T03:19:14Z"),
  status: {
    lastScanStatus: 2,
    newRegisteredObjects: 5,
    movedObjects: 6,
    removedObjects: 7,
    dailyReportTimestamp: ts("2025-09-11T03:19:14Z"),
  },
};
const pascal = Object.fromEntries(
  Object.entries(daily).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), v]),
);

describe("normalisation, one row per quirk", () => {
  it.each<[string, Record<string, unknown>, (e: typeof expected) => unknown]>([
    ["v3 camelCase (seed v3-scan-profile-daily-v2)", daily, (e) => e],
    [
      "modern PascalCase (seed modern-scan-profiles-daily-new)",
      { ...pascal, "@odata.context": "https://x/$metadata#x" },
      (e) => e,
    ],
    [
      "profileID and tenantID",
      {
        ...daily,
        profileId: undefined,
        profileID: daily.profileId,
        tenantId: undefined,
        tenantID: daily.tenantId,
      },
      (e) => e,
    ],
    [
      "misspelt newRegistedContentCount",
      { ...daily, newRegisteredContentCount: undefined, newRegistedContentCount: 5 },
      (e) => e,
    ],
    [
      "dates as MM/dd/yyyy HH:mm:ss (UTC)",
      { ...daily, modifiedTime: "08/01/2024 06:29:55", lastUpdateTime: "12/31/2024 23:59:59" },
      (e) => ({
        ...e,
        modifiedTimestamp: ts("2024-08-01T06:29:55Z"),
        status: { ...e.status, dailyReportTimestamp: ts("2024-12-31T23:59:59Z") },
      }),
    ],
    ["ISO dates without a zone are UTC", { ...daily, modifiedTime: "2025-09-11T03:19:14" }, (e) => e],
    [
      "ISO dates with fractions and offsets",
      { ...daily, lastUpdateTime: "2025-09-11T05:19:14.000+02:00" },
      (e) => e,
    ],
    ["counts as numeric strings", { ...daily, movedToAnotherContainer: "6" }, (e) => e],
    [
      "status as a name",
      { ...daily, lastScanStatus: "FinishedWithException" },
      (e) => ({ ...e, status: { ...e.status, lastScanStatus: 4 } }),
    ],
    [
      "an unknown future status code is kept",
      { ...daily, lastScanStatus: 42 },
      (e) => ({ ...e, status: { ...e.status, lastScanStatus: 42 } }),
    ],
    ["scanMode absent", { ...daily, scanMode: undefined }, (e) => ({ ...e, scanMode: null })],
    [
      "a status name this version does not know",
      { ...daily, lastScanStatus: "InProgressV2" },
      (e) => ({ ...e, status: { ...e.status, lastScanStatus: -1 } }),
    ],
  ])("%s", (_name, wire, expect_) => {
    expect(normalizeDaily(JSON.parse(JSON.stringify(wire)), E)).toEqual(expect_(expected));
  });

  it("reads a list row without status as status null", () => {
    const row = { profileName: "p", profileId: "id-1", scanMode: 1, modifiedTime: "2025-01-02T03:04:05Z" };
    expect(normalizeProfile(row, E)).toEqual({
      id: "id-1",
      name: "p",
      scanMode: 1,
      tenantId: "",
      tenantDomain: "",
      modifiedTimestamp: ts("2025-01-02T03:04:05Z"),
      status: null,
    });
  });

  it.each<[string, unknown, number | null]>([
    ["number", 1, 1],
    ["name", "Working", 1],
    ["N/A", "N/A", 0],
    ["name with spaces, any case", "multiple issues FOUND", 4],
    ["unknown name is tolerated", "Brand new state", null],
    ["absent", undefined, null],
  ])("reads customer jobStatus as %s", (_name, jobStatus, code) => {
    const c = normalizeCustomer(
      { id: "c1", organization: "Org", jobStatus, countryOrRegion: "DE", managementMode: 1 },
      E,
    );
    expect(c).toEqual({ id: "c1", name: "Org", country: "DE", managementMode: 1, jobStatus: code });
  });

  it.each<[string, unknown, RegExp]>([
    ["a profile without an id", { ...daily, profileId: undefined }, /without profileId/],
    ["a daily record without status", { ...daily, lastScanStatus: undefined }, /without lastScanStatus/],
    [
      "a daily record without a count",
      { ...daily, movedToAnotherContainer: null },
      /movedToAnotherContainer/,
    ],
    ["a count that is not a number", { ...daily, newRegisteredContentCount: "many" }, /not a whole number/],
    ["a date that is not a date", { ...daily, lastUpdateTime: "yesterday" }, /not a date/],
    ["an impossible US date", { ...daily, lastUpdateTime: "02/30/2024 25:61:00" }, /not a date/],
    ["a 30th of February in ISO", { ...daily, lastUpdateTime: "2024-02-30T00:00:00Z" }, /not a date/],
    ["a 13th month", { ...daily, modifiedTime: "13/01/2024 00:00:00" }, /not a date/],
    ["a float count", { ...daily, movedToAnotherContainer: 1.5 }, /not a whole number/],
    ["an empty profile ID", { ...daily, profileId: "" }, /without profileId/],
    ["a profile ID that is a dot segment", { ...daily, profileId: ".." }, /unusable profileId/],
    ["an encoded dot segment", { ...daily, profileId: "%2e%2E" }, /unusable profileId/],
    ["a profile ID with a newline", { ...daily, profileId: "a\nb" }, /unusable profileId/],
    ["a profile ID with a lone surrogate", { ...daily, profileId: "p\ud800" }, /unusable profileId/],
    ["a profile ID longer than any real one", { ...daily, profileId: "x".repeat(300) }, /unusable profileId/],
    ["not an object", [1, 2], /expected an object/],
  ])("rejects %s with a ParseError", (_name, wire, message) => {
    expect(() => normalizeDaily(JSON.parse(JSON.stringify(wire)), E)).toThrow(ParseError);
    expect(() => normalizeDaily(JSON.parse(JSON.stringify(wire)), E)).toThrow(message);
  });

  it.each([
    [
      "v3 data + metadata",
      { data: [1], metadata: { pageIndex: 1, pageSize: 100, totalCount: 250 } },
      { items: [1], totalCount: 250, nextLink: null },
    ],
    [
      "OData value + @odata.nextLink",
      { "@odata.context": "c", value: [1], "@odata.nextLink": "http://h/next" },
      { items: [1], totalCount: null, nextLink: "http://h/next" },
    ],
    [
      "OData value + plain nextLink",
      { value: [], nextLink: "http://h/n2" },
      { items: [], totalCount: null, nextLink: "http://h/n2" },
    ],
  ])("reads a %s page", (_name, body, page) => {
    expect(readPage(body, E)).toEqual(page);
  });

  it("rejects a list answer without items", () => {
    expect(() => readPage({ metadata: {} }, E)).toThrow(ParseError);
  });

  it.each([
    ["2024-02-29T23:59:59Z", Date.UTC(2024, 1, 29, 23, 59, 59) / 1000],
    ["2025-09-11T03:19:14.500+02:00", Date.UTC(2025, 8, 11, 1, 19, 14, 500) / 1000],
    ["2025-09-11T03:19:14", Date.UTC(2025, 8, 11, 3, 19, 14) / 1000],
    ["2025-09-11", Date.UTC(2025, 8, 11) / 1000],
    ["12/31/2025 23:59", Date.UTC(2025, 11, 31, 23, 59) / 1000],
  ])("reads the date %s", (text, seconds) => {
    expect(parseTimestamp(text, "t", E)).toBe(seconds);
  });

  it("cuts free text longer than a label should be, and reads an unknown mode as absent, not as a bad row", () => {
    const c = normalizeCustomer({ id: "c1", organization: "O".repeat(5000), managementMode: "Partner" }, E);
    expect(c.name).toHaveLength(1024);
    expect(c.name.endsWith("…")).toBe(true);
    expect(c.managementMode).toBeNull();
    expect(normalizeDaily({ ...daily, scanMode: "Express" }, E).scanMode).toBeNull();
  });

  it("parses both date forms to the same instant", () => {
    expect(parseTimestamp("08/01/2024 06:29:55", "t", E)).toBe(
      parseTimestamp("2024-08-01T06:29:55Z", "t", E),
    );
  });
});
