/**
 * One JSON object read as it streams, keeping only what a daily report needs: the scalar fields
 * at its top level. Every list or object below the top is walked token by token and skipped — a
 * list's elements are counted, never held — so the memory one answer costs does not grow with it.
 * What is kept (top-level keys and scalar values) is bounded by `maxKeptBytes`.
 */
import { StringDecoder } from "node:string_decoder";
import { getManyValues, isMany, none } from "stream-chain/defs.js";
import { jsonParser, type Token } from "stream-json/core/parser.js";
import { ParseError, UpstreamLimitError } from "../errors.js";

/** A list the reader skipped, standing in its place: only its length is known. */
export class SkippedList {
  constructor(readonly length: number) {}
}

/** An object below the top level the reader skipped. */
export class SkippedObject {}

/** A top-level field as the reader keeps it. */
export type StreamedField = string | number | boolean | null | SkippedList | SkippedObject;

/** What a streamed answer reads as: its top-level object, or a top-level scalar, or null when empty. */
export type StreamedValue = Readonly<Record<string, StreamedField>> | StreamedField;

/** Deepest nesting accepted; deeper is no daily report (and would cost the parser a stack). */
export const MAX_DEPTH = 64;

export interface StreamedTotals {
  /** Decoded bytes fed to the reader. */
  readonly readBytes: number;
  /** Bytes of what was kept (top-level keys and scalar values, UTF-8). */
  readonly keptBytes: number;
}

export interface BodySink<T> {
  /** @throws ParseError for a body that is not JSON, UpstreamLimitError when kept data passes its bound. */
  write(chunk: Buffer): void;
  /** @throws as `write`, and ParseError for a body that ended early. */
  end(): T;
  totals(): StreamedTotals;
}

/** Tokens that start one element of a list (containers are counted where they open). */
const COUNTED: ReadonlySet<Token["name"]> = new Set<Token["name"]>([
  "startString",
  "startNumber",
  "nullValue",
  "trueValue",
  "falseValue",
]);

type Pending = { kind: "key" | "string" | "number"; text: string };

/**
 * A reader of one answer. `endpoint` names it in errors; `maxKeptBytes` bounds what it keeps.
 */
export const streamedRecord = (endpoint: string, maxKeptBytes: number): BodySink<StreamedValue> => {
  const parser = jsonParser({ packValues: false, streamValues: true, maxDepth: MAX_DEPTH });
  const decoder = new StringDecoder("utf8");
  const fields: Record<string, StreamedField> = Object.create(null) as Record<string, StreamedField>;
  let top: StreamedValue | undefined;
  let depth = 0;
  let key: string | null = null;
  let pending: Pending | null = null;
  /** Elements of the top-level list being skipped, or -1 when inside a skipped object. */
  let listLength = -1;
  let readBytes = 0;
  let keptBytes = 0;
  let sawInput = false;

  const keep = (text: string): void => {
    keptBytes += Buffer.byteLength(text);
    if (keptBytes > maxKeptBytes)
      throw new UpstreamLimitError(
        `${endpoint}: fields kept from the answer pass ${maxKeptBytes} bytes (--avepoint.max-response-size), cut off`,
        "too_large",
        endpoint,
      );
  };

  /** A finished value at depth 0 (the whole answer) or 1 (a top-level field). */
  const place = (value: StreamedField): void => {
    if (depth === 0) top = value;
    else if (key !== null) {
      fields[key] = value;
      key = null;
    }
  };

  /** Depth whose elements are counted: 2 for a top-level field's list, 1 for a top-level list. */
  let countAt = 2;

  const onToken = (token: Token): void => {
    // Below the top-level fields: only structure is followed, and a list's elements counted.
    if (depth >= countAt) {
      if (token.name === "startObject" || token.name === "startArray") {
        if (depth === countAt && listLength >= 0) listLength++;
        depth++;
      } else if (token.name === "endObject" || token.name === "endArray") {
        depth--;
        if (depth === 1 && countAt === 2) {
          place(listLength >= 0 ? new SkippedList(listLength) : new SkippedObject());
          listLength = -1;
        } else if (depth === 0) top = new SkippedList(listLength);
      } else if (depth === countAt && listLength >= 0 && COUNTED.has(token.name)) listLength++;
      return;
    }
    switch (token.name) {
      case "startObject":
        if (depth === 0) top = fields;
        else listLength = -1;
        depth++;
        return;
      case "startArray":
        if (depth === 0) {
          top = new SkippedList(0);
          countAt = 1;
        }
        listLength = 0;
        depth++;
        return;
      case "endObject":
      case "endArray":
        depth--;
        return;
      case "startKey":
        pending = { kind: "key", text: "" };
        return;
      case "startString":
        pending = { kind: "string", text: "" };
        return;
      case "startNumber":
        pending = { kind: "number", text: "" };
        return;
      case "stringChunk":
      case "numberChunk":
        if (pending === null) return;
        keep(token.value);
        pending.text += token.value;
        return;
      case "endKey":
        key = pending?.text ?? "";
        pending = null;
        return;
      case "endString":
        place(pending?.text ?? "");
        pending = null;
        return;
      case "endNumber":
        place(Number(pending?.text ?? NaN));
        pending = null;
        return;
      case "nullValue":
      case "trueValue":
      case "falseValue":
        place(token.value);
        return;
      default:
        return;
    }
  };

  const feed = (text: string): void => {
    let result;
    try {
      result = parser(text);
    } catch (err) {
      throw unreadable(endpoint, err);
    }
    if (result === none) return;
    if (isMany(result)) for (const token of getManyValues(result) as Token[]) onToken(token);
    else onToken(result as Token);
  };

  return {
    write(chunk: Buffer): void {
      readBytes += chunk.length;
      const text = decoder.write(chunk);
      if (!sawInput && text.trim() === "") return;
      sawInput = true;
      feed(text);
    },
    end(): StreamedValue {
      const rest = decoder.end();
      if (rest !== "") feed(rest);
      if (!sawInput && rest.trim() === "") return null;
      let result;
      try {
        result = parser(none as unknown as string);
      } catch (err) {
        throw unreadable(endpoint, err);
      }
      if (result !== none && isMany(result))
        for (const token of getManyValues(result) as Token[]) onToken(token);
      else if (result !== none) onToken(result as Token);
      return top === undefined ? null : top;
    },
    totals: () => ({ readBytes, keptBytes }),
  };
};

const unreadable = (endpoint: string, err: unknown): ParseError => {
  const why = err instanceof RangeError ? `nested deeper than ${MAX_DEPTH}` : "not JSON";
  return new ParseError(`${endpoint} answered with a body that is ${why}`, endpoint);
};
