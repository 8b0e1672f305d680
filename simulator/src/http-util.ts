/** Small helpers over node:http: JSON answers, body reading, form parsing. */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Headers = Record<string, string>;

/** A route's answer before it is written: status, JSON body (or raw text), extra headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Headers;
  /** Writes the answer as pieces generated from `body` (as a fault may have changed it), chunked. */
  stream?: (body: unknown) => Iterable<string>;
}

export const reply = (status: number, body: unknown, headers?: Headers): Reply =>
  headers ? { status, body, headers } : { status, body };

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Headers = {},
  contentType = "application/json; charset=utf-8",
): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Writes `pieces` as a chunked answer, waiting for the socket to drain between them, so that an
 * answer of any size is generated only as fast as the client reads it. `truncate` ends it after
 * half of the first piece (invalid JSON). Stops when the client goes away.
 */
export async function sendStream(
  res: ServerResponse,
  status: number,
  pieces: Iterable<string>,
  truncate = false,
  headers: Headers = {},
): Promise<void> {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  for (const piece of pieces) {
    if (res.destroyed) return;
    const text = truncate ? piece.slice(0, Math.max(1, Math.floor(piece.length / 2))) : piece;
    if (!res.write(text))
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    if (truncate) break;
  }
  if (!res.destroyed) res.end();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  sendText(res, status, JSON.stringify(body), headers);
}

export const errorBody = (code: string, message: string): unknown => ({ error: { code, message } });

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

/** Reads the whole request body as UTF-8. @throws BodyTooLargeError above `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 1_048_576): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body larger than ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export const isJsonContentType = (req: IncomingMessage): boolean =>
  /^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "");

/** Parses JSON, returning undefined instead of throwing. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
