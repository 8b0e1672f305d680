/** A daily report read as it streams: scalars kept, lists skipped and counted, bounds on what is kept. */
import { describe, expect, it } from "vitest";
import { isParseError, isUpstreamLimitError } from "../../src/errors.js";
import { normalizeDaily } from "../../src/avepoint/normalize.js";
import {
  SkippedList,
  SkippedObject,
  streamedRecord,
  type StreamedValue,
} from "../../src/avepoint/streamed-record.js";

const E = "GET /changes";

/** Feeds `text` in chunks of `size` bytes (splitting multi-byte characters and tokens). */
const read = (text: string, size = 7, maxKept = 1 << 20): StreamedValue => {
  const sink = streamedRecord(E, maxKept);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) sink.write(bytes.subarray(i, i + size));
  return sink.end();
};

const report = (lists: string, counts = ""): string =>
  `{"profileId":"p-1","profileName":"Zoë \\"q\\" 🚀","lastScanStatus":2,${counts}"lastUpdateTime":"2025-10-10T00:00:00Z",${lists}}`;

describe("streamedRecord", () => {
  it.each([1, 3, 7, 64, 4096])("keeps top-level scalars and counts lists, in chunks of %i bytes", (size) => {
    const value = read(
      report(
        `"newRegisteredContent":[{"objectName":"a","containerName":"b"},{"objectName":"c","containerName":{"x":[1,2]}}],` +
          `"removedFromMicrosoft365OrOutOfPolicyObjects":["https://x/1","https://x/2",null,3,true],` +
          `"movedToAnotherContainerObjects":[],"settings":{"a":[1,2,3]},"flag":false,"none":null,"n":-1.5e3`,
      ),
      size,
    ) as Record<string, unknown>;
    expect(value.profileId).toBe("p-1");
    expect(value.profileName).toBe('Zoë "q" 🚀');
    expect(value.lastScanStatus).toBe(2);
    expect(value.flag).toBe(false);
    expect(value.none).toBeNull();
    expect(value.n).toBe(-1500);
    expect(value.newRegisteredContent).toEqual(new SkippedList(2));
    expect(value.removedFromMicrosoft365OrOutOfPolicyObjects).toEqual(new SkippedList(5));
    expect(value.movedToAnotherContainerObjects).toEqual(new SkippedList(0));
    expect(value.settings).toBeInstanceOf(SkippedObject);
  });

  it("an empty body is null; a top-level list stands as its length; a scalar as itself", () => {
    expect(read("  \n")).toBeNull();
    expect(read('[1,{"a":[2]},"x"]')).toEqual(new SkippedList(3));
    expect(read('"text"')).toBe("text");
  });

  it.each([
    ['{"a":1', "ends early"],
    ['{"a":1} x', "trailing garbage"],
    ["{a:1}", "bare key"],
    ["<html>", "not JSON"],
  ])("%j (%s) is a ParseError", (body) => {
    let err: unknown;
    try {
      read(body);
    } catch (e) {
      err = e;
    }
    expect(isParseError(err)).toBe(true);
  });

  it("deep nesting is refused, not followed", () => {
    expect(() => read(`{"a":${"[".repeat(200)}${"]".repeat(200)}}`)).toThrow(/nested deeper/);
  });

  it("what is kept is bounded; what is skipped is not counted against it", () => {
    const list = JSON.stringify(Array.from({ length: 5000 }, (_, i) => `https://tenant/sites/s/${i}`));
    const value = read(report(`"removedFromMicrosoft365OrOutOfPolicyObjects":${list}`), 4096, 1024);
    expect((value as Record<string, unknown>).removedFromMicrosoft365OrOutOfPolicyObjects).toEqual(
      new SkippedList(5000),
    );
    let err: unknown;
    try {
      read(`{"profileName":"${"x".repeat(5000)}"}`, 512, 1024);
    } catch (e) {
      err = e;
    }
    expect(isUpstreamLimitError(err)).toBe(true);
    expect((err as { reason: string }).reason).toBe("too_large");
  });

  it("counts bytes read and kept", () => {
    const sink = streamedRecord(E, 1 << 20);
    const body = '{"ab":"cd","l":["0123456789"]}';
    sink.write(Buffer.from(body));
    sink.end();
    expect(sink.totals()).toEqual({ readBytes: body.length, keptBytes: "abcdl".length });
  });
});

describe("the count wins; the list's length stands in only when the count is missing", () => {
  const lists = `"newRegisteredContent":[{"objectName":"a"}],"movedToAnotherContainerObjects":[],"removedFromMicrosoft365OrOutOfPolicyObjects":["a","b","c"]`;

  it("counts present: they are used even when the lists disagree", () => {
    const counts = `"newRegisteredContentCount":7,"movedToAnotherContainer":0,"removedFromMicrosoft365OrOutofPolicy":250000,`;
    const daily = normalizeDaily(read(report(lists, counts)), E);
    expect(daily.status).toMatchObject({ newRegisteredObjects: 7, movedObjects: 0, removedObjects: 250000 });
  });

  it("counts missing: the lists' lengths (also for a record held whole)", () => {
    const streamed = normalizeDaily(read(report(lists)), E);
    const held = normalizeDaily(JSON.parse(report(lists)), E);
    for (const daily of [streamed, held])
      expect(daily.status).toMatchObject({ newRegisteredObjects: 1, movedObjects: 0, removedObjects: 3 });
  });

  it("the misspelt newRegistedContent list and other casings are found", () => {
    const body = `{"ProfileId":"p","LastScanStatus":2,"NewRegistedContent":[1,2],"MovedToAnotherContainerObjects":[1],"RemovedFromMicrosoft365OrOutOfPolicyObjects":[]}`;
    expect(normalizeDaily(read(body), E).status).toMatchObject({
      newRegisteredObjects: 2,
      movedObjects: 1,
      removedObjects: 0,
    });
  });

  it("neither count nor list: the record is refused", () => {
    expect(() => normalizeDaily(read(report(`"x":1`)), E)).toThrow(/daily record without/);
  });
});
