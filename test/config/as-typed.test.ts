/** Configuration messages speak of what the user typed: the variable, the key in the file, the value as written. */
import { describe, expect, it } from "vitest";
import { describeConfig, helpText } from "../../src/config/describe.js";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";
import { ConfigError } from "../../src/errors.js";

const SECRET = "s3cr3t-Value-77";
const files: Record<string, string> = {};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return text;
};
const ENV = { AVEPOINT_CLIENT_SECRET: SECRET, AVEPOINT_CLIENT_ID: "app" };

const parse = (argv: string[], env: Record<string, string> = ENV): ParsedArgs =>
  parseConfig(argv, env, readFile) as ParsedArgs;

const errorOf = (argv: string[], env: Record<string, string> = ENV): string => {
  try {
    parseConfig(argv, env, readFile);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("no error");
};

const withFile = (text: string): string[] => {
  files["/c.yml"] = text;
  return ["--config.file=/c.yml"];
};

describe("a rejected value is reported under the name it was given by", () => {
  it.each<[string, string[], Record<string, string>, string]>([
    [
      "the flag",
      ["--avepoint.concurrency=x"],
      {},
      '--avepoint.concurrency: must be a whole number from 1 to 1000, got "x"',
    ],
    [
      "the variable",
      [],
      { AVEPOINT_CONCURRENCY: "x" },
      'AVEPOINT_CONCURRENCY: must be a whole number from 1 to 1000, got "x"',
    ],
    [
      "a duration's variable",
      [],
      { AVEPOINT_REQUEST_TIMEOUT: "soon" },
      'AVEPOINT_REQUEST_TIMEOUT: must be a duration like 30s, 5m or 1h, got "soon"',
    ],
    [
      "a secret's _FILE variable",
      [],
      { AVEPOINT_CLIENT_SECRET: "", AVEPOINT_CLIENT_SECRET_FILE: "/nope" },
      "AVEPOINT_CLIENT_SECRET_FILE: cannot read the file it names (ENOENT)",
    ],
    [
      "a variable in a check across settings",
      [],
      { SHARD_INDEX: "3", SHARD_TOTAL: "2" },
      "SHARD_INDEX: must be below SHARD_TOTAL (2), got 3",
    ],
    [
      "a flag and a variable in one check",
      ["--shard.total=2"],
      { SHARD_INDEX: "3" },
      "SHARD_INDEX: must be below --shard.total (2), got 3",
    ],
    [
      "a region from the variable",
      [],
      { AVEPOINT_ENVIRONMENT: "gov", AVEPOINT_REGION: "us" },
      "AVEPOINT_REGION: regions exist only in the commercial environment, not gov",
    ],
  ])("%s", (_name, argv, env, message) => {
    expect(errorOf(argv, { ...ENV, ...env })).toBe(message);
  });

  it("the key in the config file, nested or dotted", () => {
    expect(errorOf(withFile("avepoint:\n  concurrency: 0\n"))).toBe(
      'avepoint.concurrency in /c.yml: must be a whole number from 1 to 1000, got "0"',
    );
    expect(errorOf(withFile("collect.max-stale: 1y\n"))).toContain(
      "collect.max-stale in /c.yml: must be a duration",
    );
  });

  it("the flag wins over the variable, and is then the one named", () => {
    expect(errorOf(["--avepoint.concurrency=0"], { ...ENV, AVEPOINT_CONCURRENCY: "4" })).toMatch(
      /^--avepoint\.concurrency: /,
    );
  });
});

describe("a rejected value is quoted by its beginning only", () => {
  it.each([
    ["--avepoint.concurrency", "1234567890abcdefGHIJKLMNOP"],
    ["--avepoint.api-flavor", "v3-but-with-a-very-long-tail"],
    ["--collect.max-stale", "forever-and-ever-and-ever"],
    ["--avepoint.max-response-size", "enormous-beyond-all-measure"],
    ["--web.telemetry-path", "metrics-without-a-leading-slash"],
    ["--web.listen-address", "somewhere-over-the-rainbow"],
    ["--avepoint.api-url", "not-a-url-at-all-but-long"],
  ])("%s", (flag, value) => {
    const message = errorOf([`--${flag.slice(2)}=${value}`]);
    expect(message.startsWith(`${flag}: `)).toBe(true);
    expect(message).toContain(`"${value.slice(0, 6)}…" (${value.length} characters)`);
    expect(message).not.toContain(value.slice(0, 7));
  });

  it("cuts a long unknown flag name", () => {
    const name = `--${"y".repeat(100)}`;
    const message = errorOf([`${name}=1`]);
    expect(message).toBe(`${name.slice(0, 64)}…: unknown flag (see --help)`);
  });

  it("on one line, whatever it holds", () => {
    expect(errorOf(["--avepoint.api-flavor=a\nb"])).toContain('unknown value "a\\nb"');
  });
});

describe("--config.check", () => {
  const check = (argv: string[], env: Record<string, string> = ENV): string => {
    const parsed = parse(argv, env);
    return describeConfig(parsed.config, parsed.sources, parsed.given);
  };
  const line = (text: string, name: string): string =>
    text.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";

  it("prints durations and sizes as they were given, from any source", () => {
    const text = check(
      [
        "--avepoint.max-retry-after=2m",
        "--avepoint.max-response-size=512KiB",
        ...withFile("collect:\n  max-stale: 90m\n"),
      ],
      { ...ENV, AVEPOINT_REQUEST_TIMEOUT: "1m30s" },
    );
    expect(line(text, "avepoint.max-retry-after")).toMatch(/ 2m {3}\(from --avepoint\.max-retry-after\)$/);
    expect(line(text, "avepoint.max-response-size")).toMatch(/ 512KiB /);
    expect(line(text, "avepoint.request-timeout")).toMatch(/ 1m30s {3}\(from \$AVEPOINT_REQUEST_TIMEOUT\)$/);
    expect(line(text, "collect.max-stale")).toMatch(/ 90m {3}\(from config file\)$/);
    expect(text).not.toMatch(/\b120s\b|\b524288B\b|\b5400s\b/);
  });

  it("prints defaults as the table writes them", () => {
    const text = check([]);
    expect(line(text, "avepoint.max-retry-after")).toMatch(/ 2m$/);
    expect(line(text, "avepoint.max-response-size")).toMatch(/ 10MiB$/);
    expect(line(text, "collect.max-round-duration")).toMatch(/ 15m$/);
    expect(text).not.toContain("3600s");
    expect(text).not.toContain("10485760B");
  });

  it("masks the secrets wherever they came from", () => {
    for (const env of [ENV, { AVEPOINT_CLIENT_ID: "app", AVEPOINT_CLIENT_SECRET_FILE: "/secret" }]) {
      files["/secret"] = `${SECRET}\n`;
      const text = check([], env);
      expect(line(text, "credentials")).toContain("client secret <secret>");
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("/secret ");
    }
  });
});

describe("the config file", () => {
  it.each([
    [
      "an unclosed flow sequence",
      "avepoint:\n  customers: [a, b\n",
      "line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
    [
      "a tab as indentation",
      "avepoint:\n\tconcurrency: 4\n",
      "line 2, column 1: Tabs are not allowed as indentation",
    ],
    [
      "a nested mapping in a compact one",
      "avepoint: concurrency: 4\n",
      "line 1, column 11: Nested mappings are not allowed in compact mappings",
    ],
  ])(
    "names the line and column of a YAML syntax error (%s), without a dangling colon",
    (_name, text, problem) => {
      const message = errorOf(withFile(text));
      expect(message).toBe(`--config.file: cannot read /c.yml: ${problem}`);
      expect(message).not.toMatch(/:\s*$/);
    },
  );

  it("refuses a document that is not a mapping of settings", () => {
    expect(errorOf(withFile("- avepoint.concurrency: 4\n"))).toBe(
      "--config.file: not a mapping of settings (key: value) in /c.yml",
    );
  });

  it.each([
    [
      "avepoint:\n  client-secret: VALUE-9f8e7d\n",
      "avepoint.client-secret",
      "avepoint.client-secret-file",
      "AVEPOINT_CLIENT_SECRET",
    ],
    [
      "avepoint.client_secret: VALUE-9f8e7d\n",
      "avepoint.client_secret",
      "avepoint.client-secret-file",
      "AVEPOINT_CLIENT_SECRET",
    ],
    [
      "avepoint:\n  clientSecret: VALUE-9f8e7d\n",
      "avepoint.clientSecret",
      "avepoint.client-secret-file",
      "AVEPOINT_CLIENT_SECRET",
    ],
    [
      "client-secret: VALUE-9f8e7d\n",
      "client-secret",
      "avepoint.client-secret-file",
      "AVEPOINT_CLIENT_SECRET",
    ],
    [
      "avepoint:\n  private-key-password: VALUE-9f8e7d\n",
      "avepoint.private-key-password",
      "avepoint.private-key-password-file",
      "AVEPOINT_PRIVATE_KEY_PASSWORD",
    ],
  ])("says where a secret belongs instead of reading it: %j", (text, key, flag, env) => {
    const message = errorOf(withFile(text));
    expect(message).toBe(
      `"${key}" in /c.yml: secrets are not read from the config file; use --${flag} or ${env}(_FILE)`,
    );
    expect(message).not.toContain("VALUE-9f8e7d");
  });

  it("still reads a secret's file path from the file", () => {
    files["/secret"] = `${SECRET}\n`;
    const { config } = parse(withFile("avepoint:\n  client-secret-file: /secret\n"), {
      AVEPOINT_CLIENT_ID: "a",
    });
    expect(config.avepoint.credentials).toEqual({ kind: "secret", clientSecret: SECRET });
  });

  it.each([
    "avepoint:\n  concurrency: 4\navepoint.concurrency: 5\n",
    "avepoint.concurrency: 5\navepoint:\n  concurrency: 4\n",
    "web:\n  config.file: /a.yml\nweb.config:\n  file: /b.yml\n",
  ])("refuses a key given both nested and dotted: %j", (text) => {
    expect(errorOf(withFile(text))).toMatch(
      /^--config\.file: "(avepoint\.concurrency|web\.config\.file)" given twice \(nested and dotted\) in \/c\.yml$/,
    );
  });

  it("quotes only the beginning of a very long unknown key", () => {
    const key = `k${"x".repeat(200)}`;
    const message = errorOf(withFile(`${key}: 1\n`));
    expect(message).toContain(`unknown setting "${key.slice(0, 64)}"…`);
    expect(message.length).toBeLessThan(120);
  });
});

describe("--help", () => {
  it("lists each secret's file flag with its file variable, and the variable holding the value itself", () => {
    const help = helpText();
    expect(help).toContain(
      "  --avepoint.client-secret-file=… [$AVEPOINT_CLIENT_SECRET_FILE]\n      File holding the client secret.\n      Or the value itself (not a path) in $AVEPOINT_CLIENT_SECRET.\n",
    );
    expect(help).toContain(
      "  --avepoint.private-key-password-file=… [$AVEPOINT_PRIVATE_KEY_PASSWORD_FILE]\n",
    );
    // No file flag beside the variable that holds the secret itself.
    expect(help).not.toMatch(/-file=… \[\$AVEPOINT_CLIENT_SECRET\]/);
    expect(help).not.toMatch(/-file=… \[\$AVEPOINT_PRIVATE_KEY_PASSWORD\]/);
  });
});
