/** Typed reads of raw setting values (zod for numbers and URLs); every failure names the flag. */
import { z } from "zod";
import { ConfigError } from "../errors.js";
import { formatDuration, MAX_TIMER_SECONDS, parseDurationSeconds } from "./duration.js";
import { redactUrlCredentials } from "./secrets.js";
import type { ListenAddress } from "./config.js";
import type { SettingFlag } from "./settings.js";

export class Validator {
  constructor(private readonly get: (flag: SettingFlag) => string | undefined) {}

  private fail(flag: string, problem: string): never {
    throw new ConfigError(`--${flag}`, problem);
  }

  private required(flag: SettingFlag): string {
    const value = this.get(flag);
    if (value === undefined) this.fail(flag, "missing");
    return value;
  }

  oneOf<T extends string>(flag: SettingFlag, allowed: readonly T[]): T {
    const value = this.required(flag);
    if (!(allowed as readonly string[]).includes(value))
      this.fail(flag, `unknown value "${value}"; valid: ${allowed.join(", ")}`);
    return value as T;
  }

  number(flag: SettingFlag, min: number, max: number): number {
    const value = this.required(flag);
    const result = z.coerce
      .number()
      .finite()
      .min(min)
      .max(max)
      .safeParse(value.trim() === "" ? NaN : value);
    if (!result.success) this.fail(flag, `must be a number from ${min} to ${max}, got "${value}"`);
    return result.data;
  }

  int(flag: SettingFlag, min: number, max: number): number {
    const value = this.required(flag);
    const result = z.coerce
      .number()
      .int()
      .min(min)
      .max(max)
      .safeParse(value.trim() === "" ? NaN : value);
    if (!result.success) this.fail(flag, `must be a whole number from ${min} to ${max}, got "${value}"`);
    return result.data;
  }

  /** @param max at most MAX_TIMER_SECONDS: a longer timer would fire at once. */
  duration(flag: SettingFlag, min: number, max: number): number {
    const value = this.required(flag);
    const seconds = parseDurationSeconds(value);
    if (seconds === null) this.fail(flag, `must be a duration like 30s, 5m or 1h, got "${value}"`);
    if (seconds < min) this.fail(flag, `must be at least ${formatDuration(min)}, got "${value}"`);
    const limit = Math.min(max, MAX_TIMER_SECONDS);
    if (seconds > limit) this.fail(flag, `must be at most ${formatDuration(limit)}, got "${value}"`);
    return seconds;
  }

  /** A size in bytes: `1048576`, `512KiB`, `10MiB`, `1GiB` (KB/MB/GB mean the same powers of 1024). */
  bytes(flag: SettingFlag, min: number, max: number): number {
    const value = this.required(flag);
    const match = /^\s*(\d+(?:\.\d+)?)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\s*$/i.exec(value);
    const unit = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
      (match?.[2] ?? "").charAt(0).toLowerCase()
    ];
    const bytes = match && unit !== undefined ? Math.round(Number(match[1]) * unit) : NaN;
    if (!(bytes >= min && bytes <= max))
      this.fail(flag, `must be a size from ${min} bytes to ${max / 1024 ** 3}GiB like 10MiB, got "${value}"`);
    return bytes;
  }

  url(flag: SettingFlag): string | undefined {
    const value = this.get(flag);
    if (value === undefined) return undefined;
    const result = z.url({ protocol: /^https?$/ }).safeParse(value);
    // The value is not echoed when it may hold a password.
    const shown = redactUrlCredentials(value);
    if (!result.success) this.fail(flag, `must be an http(s) URL, got "${shown}"`);
    const url = new URL(value);
    if (url.username !== "" || url.password !== "" || shown !== value)
      this.fail(
        flag,
        "must not contain credentials (user:password@): the exporter authenticates with its client credentials",
      );
    return value;
  }

  list(flag: SettingFlag): string[] {
    const value = this.get(flag);
    return value === undefined
      ? []
      : value
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  }

  /** One or more `[host]:port`, comma-separated (a repeated flag arrives joined by commas). */
  listenAddresses(flag: SettingFlag): [ListenAddress, ...ListenAddress[]] {
    const values = this.required(flag)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const addresses = values.map((value): ListenAddress => {
      const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
      const port = Number(match?.[3]);
      if (!match || port > 65535) this.fail(flag, `must be [host]:port, got "${value}"`);
      const host = match[1] ?? match[2];
      return { host: host === "" ? undefined : host, port };
    });
    const [first, ...rest] = addresses;
    if (first === undefined) this.fail(flag, "missing");
    const keys = addresses.map((a) => `${a.host ?? ""}:${a.port}`);
    const twice = keys.find((key, i) => key !== ":0" && !key.endsWith(":0") && keys.indexOf(key) !== i);
    if (twice !== undefined) this.fail(flag, `"${twice}" is given twice`);
    return [first, ...rest];
  }
}
