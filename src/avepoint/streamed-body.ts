/** A streamed answer read chunk by chunk into its sink, bounded in the decoded bytes read. */
import { Readable } from "node:stream";
import type { BodySink } from "./streamed-record.js";

export interface BodyReading {
  readonly sink: BodySink<unknown>;
  read: number;
}

/** A streamed answer passed --avepoint.max-report-size. */
export class StreamedTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`answer larger than ${limit} bytes`);
  }
}

/** The body as a stream, whatever the adapter handed back (tests' adapters answer with text). */
export const toReadable = (data: unknown): Readable => {
  if (data instanceof Readable) return data;
  if (typeof data === "string" || Buffer.isBuffer(data)) return Readable.from([Buffer.from(data)]);
  return Readable.from([]);
};

/**
 * Feeds a streamed body into its sink chunk by chunk, counting into `reading.read`.
 * @throws StreamedTooLarge past `limit` decoded bytes; what the sink throws; a stream error.
 */
export const pumpBody = async (body: Readable, reading: BodyReading, limit: number): Promise<unknown> => {
  for await (const chunk of body) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    reading.read += bytes.length;
    if (reading.read > limit) {
      body.destroy();
      throw new StreamedTooLarge(limit);
    }
    reading.sink.write(bytes);
  }
  return reading.sink.end();
};
