/** The one logger: pino, JSON or logfmt, with credentials redacted wherever they might appear. */
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { REDACTED, Secrets } from "./config/secrets.js";

export const REDACT_PATHS = [
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "client_secret",
  "*.client_secret",
  "clientSecret",
  "*.clientSecret",
  "client_assertion",
  "*.client_assertion",
  "access_token",
  "*.access_token",
  "password",
  "*.password",
  "privateKeyPem",
  "*.privateKeyPem",
  "privateKeyPassword",
  "*.privateKeyPassword",
];

const LOGFMT_SAFE = /^[^\s"=\\]+$/;

const logfmtValue = (value: unknown): string => {
  const text =
    typeof value === "string" ? value : value instanceof Object ? JSON.stringify(value) : String(value);
  return LOGFMT_SAFE.test(text) ? text : JSON.stringify(text);
};

/** pino's JSON lines → `ts=… level=… msg=… key=value` (logfmt, as Go exporters print). */
export const logfmtStream = (
  out: NodeJS.WritableStream,
  scrub: (text: string) => string = (t) => t,
): Writable =>
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of scrub(chunk.toString("utf8")).split("\n")) {
        if (line === "") continue;
        try {
          const {
            time,
            level,
            msg,
            pid: _pid,
            hostname: _host,
            ...rest
          } = JSON.parse(line) as Record<string, unknown>;
          const fields = [
            `ts=${new Date(Number(time)).toISOString()}`,
            `level=${logfmtValue(level)}`,
            `msg=${logfmtValue(msg ?? "")}`,
          ];
          for (const [key, value] of Object.entries(rest)) fields.push(`${key}=${logfmtValue(value)}`);
          out.write(`${fields.join(" ")}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      callback();
    },
  });

/** JSON lines, scrubbed of secrets. */
const jsonStream = (out: NodeJS.WritableStream, scrub: (text: string) => string): Writable =>
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.write(scrub(chunk.toString("utf8")));
      callback();
    },
  });

/**
 * @param secrets values that must never be printed, whatever field or message they end up in: every
 *   line is cleaned of what the holder knows when it is written (the last line of defence behind pino's
 *   redact paths), so that secrets a reload adds are cleaned from then on.
 */
export const createLogger = (
  options: { level: string; format: "logfmt" | "json" },
  out: NodeJS.WritableStream = process.stderr,
  secrets: Secrets = new Secrets(),
): Logger => {
  const current = secrets.redact;
  const logger = pino(
    {
      level: options.level,
      base: null,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: {
        err: (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)),
      },
    },
    options.format === "json" ? jsonStream(out, current) : logfmtStream(out, current),
  );
  return logger;
};
