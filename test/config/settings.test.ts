/**
 * Generated from the declarations in settings.ts: every setting has a flag, an environment variable,
 * help text, a --config.check line and a name in reload's change detection, and is read from each
 * place it may be given. A setting added to the table is covered here without touching this file
 * (settings without a default need a sample below, which a test asks for).
 */
import { describe, expect, it } from "vitest";
import { compareConfigs, WATCHED } from "../../src/config/changes.js";
import { fieldValue, type AnyDeclaration } from "../../src/config/declaration.js";
import { checkLines, describeConfig, helpText } from "../../src/config/describe.js";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";
import { COMMAND_FLAGS } from "../../src/config/command-flags.js";
import { SETTINGS } from "../../src/config/settings.js";

const DECLARATIONS = SETTINGS as readonly AnyDeclaration[];
const FILES: Record<string, string> = {
  "/secret": "s3cr3t-from-file\n",
  "/cert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  "/key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
};
const readFile = (path: string): string => {
  const text = FILES[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return text;
};

/** A valid value (not the default) for every setting; the text that gives it. */
const SAMPLES: Record<string, string> = {
  "web.listen-address": "127.0.0.1:9100",
  "web.telemetry-path": "/probe",
  "web.config.file": "/web.yml",
  "avepoint.environment": "gov",
  "avepoint.region": "we",
  "avepoint.api-url": "http://127.0.0.1:1",
  "avepoint.token-url": "http://127.0.0.1:2/token",
  "avepoint.api-flavor": "modern",
  "avepoint.modern-daily-route": "summary",
  "avepoint.client-id": "sample-client",
  "avepoint.client-secret-file": "/secret",
  "avepoint.certificate-file": "/cert",
  "avepoint.private-key-file": "/key",
  "avepoint.private-key-password-file": "/secret",
  "avepoint.scope": "a.read b.read",
  "avepoint.concurrency": "3",
  "avepoint.rate-limit": "2.5",
  "avepoint.adaptive-rate": "false",
  "web.enable-lifecycle": "true",
  "avepoint.max-retry-after": "30s",
  "avepoint.request-timeout": "5s",
  "avepoint.max-response-size": "1MiB",
  "avepoint.max-report-size": "256MiB",
  "avepoint.report-timeout": "90s",
  "avepoint.max-retries": "1",
  "collect.min-interval": "1m",
  "collect.customers": "Contoso*",
  "collect.exclude-customers": "Fabrikam",
  "collect.max-stale": "2h",
  "collect.max-round-duration": "5m",
  "collect.timeout-offset": "1s",
  "collect.default-timeout": "20s",
  "shard.index": "1",
  "shard.total": "3",
  "runtime.heap-growth-percent": "100",
  "storage.path": "/var/lib/avepoint-exporter",
  "storage.save-interval": "30s",
  "log.level": "debug",
  "log.format": "json",
};

/** What a setting needs beside it to make a valid configuration. */
const COMPANIONS: Record<string, Record<string, string>> = {
  "avepoint.region": { "avepoint.environment": "commercial" },
  "avepoint.certificate-file": { "avepoint.private-key-file": "/key" },
  "avepoint.private-key-file": { "avepoint.certificate-file": "/cert" },
  "avepoint.private-key-password-file": {
    "avepoint.certificate-file": "/cert",
    "avepoint.private-key-file": "/key",
  },
  "shard.index": { "shard.total": "3" },
};

const CREDENTIALS = new Set(DECLARATIONS.filter((d) => d.to === "avepoint.credentials").map((d) => d.flag));

/** How reload names a change of the setting: its flag, or its shared line when it shares its field. */
const changeName = (declaration: AnyDeclaration): string =>
  DECLARATIONS.filter((d) => d.to === declaration.to).length > 1
    ? (declaration.line ?? "")
    : declaration.flag;

/** Flags and environment for a valid configuration around `flag` (which is left to the caller). */
const around = (flag: string): { argv: string[]; env: Record<string, string> } => {
  const companions = COMPANIONS[flag] ?? {};
  const argv = Object.entries(companions).map(([name, value]) => `--${name}=${value}`);
  if (flag !== "avepoint.client-id") argv.push("--avepoint.client-id=a");
  const env: Record<string, string> = CREDENTIALS.has(flag) ? {} : { AVEPOINT_CLIENT_SECRET: "s3cr3t" };
  return { argv, env };
};

const parse = (argv: string[], env: Record<string, string>): ParsedArgs =>
  parseConfig(argv, env, readFile) as ParsedArgs;

/** The sample as YAML, nested by the dots of the flag or with the flag as one dotted key. */
const yaml = (flag: string, value: string, nested: boolean): string => {
  const keys = nested ? flag.split(".") : [flag];
  return keys
    .map((key, i) => `${"  ".repeat(i)}${key}:${i === keys.length - 1 ? ` "${value}"` : ""}`)
    .join("\n");
};

const defaults = parse(["--avepoint.client-id=a"], { AVEPOINT_CLIENT_SECRET: "s3cr3t" });

describe.each(DECLARATIONS.map((d) => [d.flag, d] as const))("%s", (flag, declaration) => {
  it("has a flag, an environment variable and help text", () => {
    expect(flag).toMatch(/^[a-z]+(\.[a-z]+(-[a-z]+)*)+$/);
    expect(declaration.env).toMatch(/^[A-Z]+(_[A-Z]+)+$/);
    expect(declaration.help).toMatch(/^\S.*\.$/);
  });

  it("is listed by --help with its environment variable, help and default", () => {
    // A secret's flag names a file, as does <ENV>_FILE; its plain variable holds the value itself.
    const env = declaration.type.secret ? `${declaration.env}_FILE` : declaration.env;
    const entry = `  --${flag}=… [$${env}]\n      ${declaration.help}`;
    const def = declaration.default === undefined ? "" : ` (default ${declaration.default})`;
    const inline = declaration.type.secret
      ? `\n      Or the value itself (not a path) in $${declaration.env}.`
      : "";
    expect(helpText()).toContain(`${entry}${def}${inline}\n`);
  });

  it("has a --config.check line", () => {
    const name = declaration.line ?? flag;
    const lines = checkLines(defaults.config, defaults.sources).map((line) => line.name);
    expect(lines).toContain(name);
    expect(describeConfig(defaults.config, defaults.sources)).toMatch(
      new RegExp(`^${name.replace(/\./g, "\\.")} `, "m"),
    );
  });

  it("is watched by reload's change detection: a change of it needs a restart unless it is reloadable", () => {
    const name = changeName(declaration);
    expect(WATCHED.map((w) => w.name)).toContain(name);
    const { argv, env } = around(flag);
    const next = parse([...argv, `--${flag}=${SAMPLES[flag] ?? ""}`], env);
    const { changed, needRestart } = compareConfigs(defaults.config, next.config);
    expect(changed).toContain(name);
    expect(needRestart.includes(name)).toBe(declaration.reloadable !== true);
  });

  it("has a sample, different from its default", () => {
    expect(SAMPLES[flag]).toBeDefined();
    expect(SAMPLES[flag]).not.toBe(declaration.default);
  });

  it("is read alike from its flag, its environment variable and the config file (nested or dotted)", () => {
    const sample = SAMPLES[flag] ?? "";
    const { argv, env } = around(flag);
    const ways: [string, ParsedArgs][] = [
      [`--${flag}`, parse([...argv, `--${flag}=${sample}`], env)],
      // A secret's own environment variable holds the secret itself, not its path.
      [
        `$${declaration.env}`,
        parse(argv, {
          ...env,
          [declaration.env]: declaration.type.secret ? readFile(sample).trim() : sample,
        }),
      ],
    ];
    for (const nested of [true, false]) {
      FILES["/config.yml"] = yaml(flag, sample, nested);
      ways.push(["config file", parse([...argv, "--config.file=/config.yml"], env)]);
    }
    if (declaration.type.secret)
      ways.push([`$${declaration.env}_FILE`, parse(argv, { ...env, [`${declaration.env}_FILE`]: sample })]);
    const values = ways.map(([source, parsed]) => {
      expect(parsed.sources.get(flag)).toBe(source);
      return JSON.stringify(fieldValue(parsed.config, declaration));
    });
    expect(new Set(values).size, values.join("\n")).toBe(1);
    expect(values[0]).not.toBe(JSON.stringify(fieldValue(defaults.config, declaration)));
  });
});

describe.each(DECLARATIONS.filter((d) => d.type.file).map((d) => [d.flag, d] as const))(
  "%s, a file",
  (flag, declaration) => {
    it("refuses a path it cannot read, naming the setting; a secret's path is not echoed", () => {
      const { argv, env } = around(flag);
      const path = "/no/such-file-pa55";
      expect(() => parse([...argv, `--${flag}=${path}`], env)).toThrow(
        declaration.type.secret
          ? `--${flag}: cannot read the file it names (ENOENT)`
          : `--${flag}: cannot read file ${path} (ENOENT)`,
      );
    });
  },
);

describe("the table of settings", () => {
  it("names each flag and environment variable once, commands included", () => {
    const flags = [...DECLARATIONS.map((d) => d.flag), ...COMMAND_FLAGS.map((c) => c.flag)];
    const envs = [
      ...DECLARATIONS.flatMap((d) => (d.type.secret ? [d.env, `${d.env}_FILE`] : [d.env])),
      ...COMMAND_FLAGS.flatMap((c) => ("env" in c ? [c.env] : [])),
    ];
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(envs).size).toBe(envs.length);
  });

  it("has a sample for every setting and none for settings that are gone", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(DECLARATIONS.map((d) => d.flag).sort());
  });

  it("shares a --config.check line wherever settings land in one field, and its reloadability", () => {
    for (const declaration of DECLARATIONS) {
      const together = DECLARATIONS.filter((d) => d.to === declaration.to);
      if (together.length === 1) continue;
      expect(declaration.line, declaration.flag).toBeDefined();
      expect(new Set(together.map((d) => d.line)).size, declaration.flag).toBe(1);
      expect(new Set(together.map((d) => d.reloadable)).size, declaration.flag).toBe(1);
    }
  });
});
