/**
 * Answers no client should read whole: huge, endless or trickling bodies, produced on the fly (the
 * upstream itself holds one small chunk), stopping as soon as the client goes away.
 */
import type { ServerResponse } from "node:http";
import { profileRow } from "./wire.js";

/** Whatever is sent after this many bytes, an endless body stops here (a guard, never reached when cut). */
const ENDLESS_GUARD_BYTES = 4 * 1024 * 1024 * 1024;

const CHUNK = (() => {
  const row = `${JSON.stringify(profileRow("00000000-0000-0000-0000-000000000000"))},`;
  return Buffer.from(row.repeat(Math.ceil(65_536 / row.length)));
})();

/**
 * Writes `head`, then `chunk` again and again, then `tail`: `bytes` in all (Content-Length set, padded
 * with the whitespace JSON allows between values), or endless and chunked when `bytes` is null. Writes
 * wait for the client to drain; resolves when the body ends or the client is gone.
 */
const streamPadded = async (
  res: ServerResponse,
  parts: { readonly head: Buffer; readonly chunk: Buffer; readonly tail: Buffer },
  bytes: number | null,
  progress: { sent: number },
): Promise<void> => {
  const { head, chunk, tail } = parts;
  res.writeHead(
    200,
    bytes === null
      ? { "Content-Type": "application/json" }
      : { "Content-Type": "application/json", "Content-Length": String(bytes) },
  );
  const write = async (piece: Buffer): Promise<boolean> => {
    if (res.destroyed || res.writableEnded) return false;
    progress.sent += piece.length;
    if (!res.write(piece))
      await new Promise<void>((resolve) => {
        const go = (): void => {
          res.off("drain", go);
          res.off("close", go);
          resolve();
        };
        res.on("drain", go);
        res.on("close", go);
      });
    return !res.destroyed;
  };
  if (!(await write(head))) return;
  const limit = bytes === null ? ENDLESS_GUARD_BYTES : bytes - tail.length;
  while (progress.sent + chunk.length <= limit) if (!(await write(chunk))) return;
  if (!(await write(Buffer.from(" ".repeat(Math.max(0, limit - progress.sent)))))) return;
  if (!res.destroyed) {
    progress.sent += tail.length;
    res.end(tail);
  }
};

/**
 * A v3 list answer of rows, `bytes` long (Content-Length set), or endless and chunked when `bytes`
 * is null. `progress.sent` counts the bytes written so far; resolves when the body ends or the client is gone.
 */
export const streamRows = async (
  res: ServerResponse,
  bytes: number | null,
  progress: { sent: number } = { sent: 0 },
): Promise<void> => {
  const head = Buffer.from('{"metadata":{"totalCount":1},"data":[');
  const tail = Buffer.from(`${JSON.stringify(profileRow("last"))}]}`);
  await streamPadded(res, { head, chunk: CHUNK, tail }, bytes, progress);
};

/**
 * A small valid list answer sent one byte per `intervalMs`: never idle for long, never done in time.
 * Stops when the client goes away.
 */
export const trickle = (res: ServerResponse, body: string, intervalMs = 1000): void => {
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(body)),
  });
  res.flushHeaders();
  let at = 0;
  const timer = setInterval(() => {
    if (res.destroyed || at >= body.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body.charAt(at++));
  }, intervalMs);
  res.on("close", () => clearInterval(timer));
};

const URL_CHUNK = (() => {
  const url = `${JSON.stringify("https://contoso.sharepoint.com/sites/Finance/Shared Documents/2025/Q3/Quarterly Report 1.docx")},`;
  return Buffer.from(url.repeat(Math.ceil(65_536 / url.length)));
})();

/**
 * A v3-batch daily report (`/changes`) for `profileId` whose removed-objects list runs to `bytes`
 * in all (Content-Length set), or endless and chunked when `bytes` is null. `fields` go into the
 * report's top level before the list (counts, or a field to break). Resolves when the body ends or
 * the client is gone; `progress.sent` counts the bytes written.
 */
export const streamReport = async (
  res: ServerResponse,
  profileId: string,
  bytes: number | null,
  fields: Record<string, unknown> = {},
  progress: { sent: number } = { sent: 0 },
): Promise<void> => {
  const row = JSON.stringify({ ...profileRow(profileId), ...fields });
  const head = Buffer.from(`${row.slice(0, -1)},"removedFromMicrosoft365OrOutOfPolicyObjects":[`);
  const tail = Buffer.from('"last"]}');
  await streamPadded(res, { head, chunk: URL_CHUNK, tail }, bytes, progress);
};
