/** The command line as a user meets it: the README's check command, errors naming what was typed, -h. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAIN, runOnce } from "../helpers/process.js";

const ROOT = join(import.meta.dirname, "../..");
const SECRET = "Qz7-config-check-Secret";

/**
 * The README's --config.check example, exactly as printed there: run from a fresh clone after
 * `npm ci && npm run build`, it must succeed without any other preparation.
 */
const README_CHECK_COMMAND =
  "AVEPOINT_CLIENT_SECRET=example node dist/src/main.js --avepoint.client-id=example --avepoint.region=we --config.check";

const shell = (command: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      "/bin/sh",
      ["-c", command],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "" }, timeout: 20_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });

const dir = mkdtempSync(join(tmpdir(), "config-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oneLine = (stderr: string): string => {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0] ?? "";
};

describe("--config.check", () => {
  it("runs as the README prints it", async () => {
    expect(MAIN.startsWith(ROOT)).toBe(true);
    const { code, stdout, stderr } = await shell(README_CHECK_COMMAND);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^configuration is valid\n/);
    expect(stdout).toMatch(/^avepoint\.region +we {3}\(from --avepoint\.region\)$/m);
    expect(stdout).toMatch(/^credentials +client secret <secret> {3}\(from \$AVEPOINT_CLIENT_SECRET\)$/m);
  });

  it("prints values as they were given and masks the secret", async () => {
    const { code, stdout } = await runOnce(
      ["--avepoint.client-id=a", "--avepoint.max-retry-after=2m", "--config.check"],
      { AVEPOINT_CLIENT_SECRET: SECRET, AVEPOINT_MAX_RESPONSE_SIZE: "2MiB", COLLECT_MAX_STALE: "90m" },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^avepoint\.max-retry-after +2m {3}\(from --avepoint\.max-retry-after\)$/m);
    expect(stdout).toMatch(/^avepoint\.max-response-size +2MiB {3}\(from \$AVEPOINT_MAX_RESPONSE_SIZE\)$/m);
    expect(stdout).toMatch(/^collect\.max-stale +90m {3}\(from \$COLLECT_MAX_STALE\)$/m);
    expect(stdout).toMatch(/^avepoint\.request-timeout +15s$/m);
    expect(stdout).not.toContain(SECRET);
  });
});

describe("a bad configuration", () => {
  it("names the environment variable a bad value came from, not the flag", async () => {
    const { code, stdout, stderr } = await runOnce(["--avepoint.client-id=a"], {
      AVEPOINT_CLIENT_SECRET: SECRET,
      AVEPOINT_CONCURRENCY: "x",
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(oneLine(stderr)).toBe(
      'avepoint-exporter: config error: AVEPOINT_CONCURRENCY: must be a whole number from 1 to 1000, got "x"',
    );
  });

  it("quotes only the beginning of a long rejected value", async () => {
    const value = "this-is-not-a-flavor-but-a-paste-of-something-long";
    const { code, stderr } = await runOnce(["--avepoint.client-id=a"], {
      AVEPOINT_CLIENT_SECRET: SECRET,
      AVEPOINT_API_FLAVOR: value,
    });
    expect(code).toBe(2);
    expect(oneLine(stderr)).toContain(
      `AVEPOINT_API_FLAVOR: unknown value "${value.slice(0, 6)}…" (${value.length} characters); valid:`,
    );
    expect(stderr).not.toContain(value.slice(0, 7));
  });

  it("says where a secret belongs when the config file holds one, without printing it", async () => {
    const file = join(dir, "secret.yml");
    writeFileSync(file, `avepoint:\n  client-id: a\n  client-secret: ${SECRET}\n`);
    const { code, stderr } = await runOnce([`--config.file=${file}`]);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toBe(
      `avepoint-exporter: config error: "avepoint.client-secret" in ${file}: secrets are not read from the config file; use --avepoint.client-secret-file or AVEPOINT_CLIENT_SECRET(_FILE)`,
    );
    expect(stderr).not.toContain(SECRET);
  });

  it("names the line and column of a YAML syntax error", async () => {
    const file = join(dir, "broken.yml");
    writeFileSync(file, "avepoint:\n  client-id: a\n  customers: [x, y\n");
    const { code, stderr } = await runOnce([`--config.file=${file}`], { AVEPOINT_CLIENT_SECRET: SECRET });
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(
      new RegExp(
        `^avepoint-exporter: config error: --config\\.file: cannot read ${file}: line 4, column 1: [^:]+\\]$`,
      ),
    );
  });

  it("refuses a key given both nested and dotted", async () => {
    const file = join(dir, "twice.yml");
    writeFileSync(file, "avepoint:\n  client-id: a\n  concurrency: 4\navepoint.concurrency: 6\n");
    const { code, stderr } = await runOnce([`--config.file=${file}`], { AVEPOINT_CLIENT_SECRET: SECRET });
    expect(code).toBe(2);
    expect(oneLine(stderr)).toContain('"avepoint.concurrency" given twice (nested and dotted)');
  });
});

describe("-h", () => {
  it("lists each secret's file flag with its file variable, and the variable for the value itself", async () => {
    const { code, stdout } = await runOnce(["-h"]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "--avepoint.client-secret-file=… [$AVEPOINT_CLIENT_SECRET_FILE]\n      File holding the client secret.\n      Or the value itself (not a path) in $AVEPOINT_CLIENT_SECRET.",
    );
    expect(stdout).toContain(
      "--avepoint.private-key-password-file=… [$AVEPOINT_PRIVATE_KEY_PASSWORD_FILE]\n      File holding the private key's password.\n      Or the value itself (not a path) in $AVEPOINT_PRIVATE_KEY_PASSWORD.",
    );
  });
});
