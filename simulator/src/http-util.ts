/** Small helpers over node:http: JSON answers, body reading, form parsing. */
import type { IncomingMessage, ServerResponse } from "node:http";

export type Headers = Record<string, string>;

/** A route's answer before it is written: status, JSON body (or raw text), extra headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Headers;
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
