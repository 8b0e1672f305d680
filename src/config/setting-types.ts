/** The types a setting can have: how its text is read and checked (zod for numbers and URLs), and shown. */
import { z } from "zod";
import type { ListenAddress } from "./config.js";
import type { ParseContext, SettingType } from "./declaration.js";
import { formatDuration, MAX_TIMER_SECONDS, parseDurationSeconds } from "./duration.js";
import {
  checkSecretFileMode,
  MAX_SECRET_FILE_BYTES,
  quoteRejected,
  redactUrlCredentials,
} from "./secrets.js";

/** How a secret setting is shown by --config.check. */
export const MASK = "<secret>";

/** The most of a rejected value an error message quotes: enough to recognise it, never a whole paste. */
export const QUOTE_MAX = 16;

/**
 * A rejected value as an error message quotes it: JSON-quoted (so that control characters stay on one
 * line), cut after QUOTE_MAX characters with an ellipsis.
 */
export const quote = (value: string, max = QUOTE_MAX): string => {
  const chars = [...value];
  return chars.length <= max ? JSON.stringify(value) : `${JSON.stringify(chars.slice(0, max).join(""))}…`;
};

/** Any text, as given. */
export const text: SettingType<string> = { parse: (value) => value, show: (value) => value };

/** Text around which spaces mean nothing; blank counts as not given. */
export const trimmed: SettingType<string> = {
  parse: (value, { missing }) => value.trim() || missing(),
  show: (value) => value,
};

/** A directory; empty (or blank) turns the feature off (null). */
export const directoryOrOff: SettingType<string | null> = {
  parse: (value) => (value.trim() === "" ? null : value),
  show: (value) => (value === null ? "(off)" : value),
};

/** The same type, but given nowhere means null (shown as `(none)`). */
export const optional = <T>(type: SettingType<T>): SettingType<T | null> => ({
  ...type,
  show: (value) => (value === null ? "(none)" : type.show(value)),
  unset: null,
});

/** @param noun names the kind of value in the error, `unknown region "xx"`. */
export const oneOf = <const T extends string>(allowed: readonly T[], noun = "value"): SettingType<T> => ({
  parse: (value, { fail }) =>
    (allowed as readonly string[]).includes(value)
      ? (value as T)
      : fail(`unknown ${noun} ${quoteRejected(value)}; valid: ${allowed.join(", ")}`),
  show: (value) => value,
});

export const bool: SettingType<boolean> = {
  parse: (value, context) => oneOf(["true", "false"]).parse(value, context) === "true",
  show: String,
};

const numberIn = (schema: z.ZodType<number>, problem: string): SettingType<number> => ({
  parse: (value, { fail }) => {
    const result = schema.safeParse(value.trim() === "" ? NaN : value);
    return result.success ? result.data : fail(`${problem}, got ${quoteRejected(value)}`);
  },
  show: String,
});

export const number = (min: number, max: number): SettingType<number> =>
  numberIn(z.coerce.number().finite().min(min).max(max), `must be a number from ${min} to ${max}`);

export const int = (min: number, max: number): SettingType<number> =>
  numberIn(z.coerce.number().int().min(min).max(max), `must be a whole number from ${min} to ${max}`);

/** Seconds, written as `30s`, `5m`, `1h30m`, `250ms` or plain seconds. */
export const duration = (min: number, max: number): SettingType<number> => {
  // A longer timer would fire at once.
  const limit = Math.min(max, MAX_TIMER_SECONDS);
  return {
    parse: (value, { fail }) => {
      const seconds = parseDurationSeconds(value);
      if (seconds === null) return fail(`must be a duration like 30s, 5m or 1h, got ${quoteRejected(value)}`);
      if (seconds < min) return fail(`must be at least ${formatDuration(min)}, got ${quoteRejected(value)}`);
      if (seconds > limit)
        return fail(`must be at most ${formatDuration(limit)}, got ${quoteRejected(value)}`);
      return seconds;
    },
    show: (seconds) => formatDuration(seconds),
    asGiven: true,
  };
};

const UNIT_BYTES: Readonly<Record<string, number>> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size in bytes: `1048576`, `512KiB`, `10MiB`, `1GiB` (KB/MB/GB mean the same powers of 1024). */
export const bytes = (min: number, max: number): SettingType<number> => ({
  parse: (value, { fail }) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\s*$/i.exec(value);
    const unit = UNIT_BYTES[(match?.[2] ?? "").charAt(0).toLowerCase()];
    const size = match && unit !== undefined ? Math.round(Number(match[1]) * unit) : NaN;
    return size >= min && size <= max
      ? size
      : fail(
          `must be a size from ${min} bytes to ${max / 1024 ** 3}GiB like 10MiB, got ${quoteRejected(value)}`,
        );
  },
  show: (size) => `${size}B`,
  asGiven: true,
});

/** An http(s) URL without user-info (which is never echoed). */
export const httpUrl: SettingType<string> = {
  parse: (value, { fail }) => {
    const shown = redactUrlCredentials(value);
    if (!z.url({ protocol: /^https?$/ }).safeParse(value).success)
      return fail(
        `must be an http(s) URL, got ${/^https?:\/\//i.test(shown) && shown.length <= 200 ? JSON.stringify(shown) : quoteRejected(shown)}`,
      );
    const url = new URL(value);
    if (url.username !== "" || url.password !== "" || shown !== value)
      return fail(
        "must not contain credentials (user:password@): the exporter authenticates with its client credentials",
      );
    return value;
  },
  show: (value) => value,
};

/** Comma-separated; given nowhere means none. */
export const list = (empty = "(none)"): SettingType<readonly string[]> => ({
  parse: (value) =>
    value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  show: (values) => values.join(",") || empty,
  unset: [],
});

/** Separated by spaces or commas. */
export const words: SettingType<readonly string[]> = {
  parse: (value) => value.split(/[\s,]+/).filter(Boolean),
  show: (values) => values.join(" "),
};

const showHost = (host: string | undefined): string =>
  host === undefined ? "" : host.includes(":") ? `[${host}]` : host;

/** One or more `[host]:port`, comma-separated (a repeated flag arrives joined by commas). */
export const listenAddresses: SettingType<readonly [ListenAddress, ...ListenAddress[]]> = {
  parse: (value, { fail }) => {
    const addresses = value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((address): ListenAddress => {
        const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
        const port = Number(match?.[3]);
        if (!match || port > 65535) return fail(`must be [host]:port, got ${quoteRejected(address)}`);
        const host = match[1] ?? match[2];
        return { host: host === "" ? undefined : host, port };
      });
    const [first, ...rest] = addresses;
    if (first === undefined) return fail("missing");
    const keys = addresses.map((a) => `${a.host ?? ""}:${a.port}`);
    // Port 0 asks for any free port: twice is two ports.
    const twice = keys.find((key, i) => !key.endsWith(":0") && keys.indexOf(key) !== i);
    if (twice !== undefined) return fail(`${quote(twice)} is given twice`);
    return [first, ...rest];
  },
  show: (addresses) => addresses.map(({ host, port }) => `${showHost(host)}:${port}`).join(","),
};

/** A file whose content is read when the value is used (`read` throws ConfigError naming the flag). */
export interface FileContent {
  readonly read: () => string;
}

const readPath = (
  { readFile, fail, flag }: ParseContext,
  path: string,
  shown: string,
  secret = false,
): string => {
  const file = shown === "it names" ? "the file it names" : `file ${shown}`;
  const tooLarge = `${file} is too large (a secret file holds at most 64 KiB)`;
  let content: string;
  try {
    content = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === "EFBIG" ? tooLarge : `cannot read ${file} (${code ?? "unreadable"})`);
  }
  if (!secret) return content;
  if (Buffer.byteLength(content) > MAX_SECRET_FILE_BYTES) return fail(tooLarge);
  checkSecretFileMode(path, `--${flag}`);
  return content;
};

/** A PEM file (certificate or private key), read as is. */
export const pemFile: SettingType<FileContent | null> = {
  parse: (path, context) => ({ read: () => readPath(context, path, path) }),
  show: () => MASK,
  unset: null,
  file: true,
};

/** A PEM private key: read as is, bounded and checked like every secret file. */
export const secretPemFile: SettingType<FileContent | null> = {
  ...pemFile,
  parse: (path, context) => ({ read: () => readPath(context, path, path, true) }),
};

/** A secret: from its environment variable, or from the file a flag, the config file or `<ENV>_FILE` names. */
export const secretFile: SettingType<FileContent | null> = {
  parse: (value, context) => ({
    read: () => {
      // The path is not echoed either: a secret pasted where its path belongs would be printed.
      const content = context.inline ? value : readPath(context, value, "it names", true);
      return content.trim() || context.fail("is empty");
    },
  }),
  show: () => MASK,
  unset: null,
  secret: true,
  file: true,
};

/** The path the metrics are served on. */
export const metricsPath: SettingType<string> = {
  parse: (path, { fail }) =>
    // Paths under /-/ are the open health endpoints: metrics there would escape basic auth.
    path.startsWith("/") && path !== "/" && !path.startsWith("/-/")
      ? path
      : fail(`must start with /, and be neither / nor under /-/, got ${quoteRejected(path)}`),
  show: (path) => path,
};
