/**
 * Secrets hidden in every form: tokens received from the moment they arrive, derived forms of the
 * client secret, URLs with credentials in errors, rejected values cut to a prefix; secret files bounded
 * in size and checked for their mode; the shipped manifests give secret volumes a mode of their own.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse.js";
import {
  learnSecret,
  quoteRejected,
  readLimitedFile,
  redactor,
  secretsOf,
  takeSecretFileWarnings,
} from "../../src/config/secrets.js";

const CLIENT_ID = "3f1c2b7e-0d4a-4f59-9a43-6b2d8c1e5f70";
const SECRET = "s3cr/et+Value&<with>\"quotes'ü~";

const dir = mkdtempSync(join(tmpdir(), "secret-forms-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configError = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    parseConfig(["--avepoint.client-id=a", ...argv], { AVEPOINT_CLIENT_SECRET: "x", ...env }, (path) =>
      readLimitedFile(path),
    );
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("accepted");
};

describe("derived forms of the client secret", () => {
  const redact = redactor(secretsOf({ kind: "secret", clientSecret: SECRET }, CLIENT_ID));
  const html = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

  it.each([
    ["base64 of client_id:secret", Buffer.from(`${CLIENT_ID}:${SECRET}`).toString("base64")],
    [
      "base64 of the form-encoded pair",
      Buffer.from(`${CLIENT_ID}:${new URLSearchParams({ s: SECRET }).toString().slice(2)}`).toString(
        "base64",
      ),
    ],
    ["percent-encoding, upper case", encodeURIComponent(SECRET)],
    [
      "percent-encoding, lower case",
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    ],
    ["HTML escaping (&#39;)", html(SECRET).replace(/'/g, "&#39;")],
    ["HTML escaping (&#x27;)", html(SECRET).replace(/'/g, "&#x27;")],
    ["JSON escaping", JSON.stringify(SECRET).slice(1, -1)],
    [
      "JSON with \\u escapes and \\/",
      JSON.stringify(SECRET).slice(1, -1).replace("ü", "\\u00fc").replace("/", "\\/"),
    ],
  ])("%s", (_name, form) => {
    const out = redact(`identity service said: ${form} (end)`);
    expect(out).not.toContain(form);
    expect(out).toContain("[REDACTED]");
    expect(out).toContain("(end)");
  });
});

describe("access tokens received", () => {
  it("are redacted by every redactor from the moment they are learnt", () => {
    const token = "opaque-token-7Q2vX9kLm3Zp";
    const redact = redactor([]);
    // An upstream echoing the token in a count field, before and after it is known.
    expect(redact(`count "${token}" is not a number`)).toContain(token);
    learnSecret(token);
    expect(redact(`count "${token}" is not a number`)).not.toContain(token);
    expect(redact(`count "${encodeURIComponent(token)}"`)).not.toContain(token);
  });
});

describe("config errors", () => {
  it("print a URL with credentials as *** whatever the password holds", () => {
    for (const url of [
      "https://svc:abc/def123@host",
      "https://svc:p%40ss?word#x@host/api",
      "https://user:pw@host",
    ]) {
      const message = configError([`--avepoint.api-url=${url}`]);
      expect(message).not.toMatch(/abc|def123|ss\?word|pw@/);
      expect(message).toMatch(/--avepoint\.api-url: /);
    }
    expect(configError(["--avepoint.api-url=https://svc:abc/def123@host"])).toContain("https://***@host");
  });

  it.each([
    ["--avepoint.region", "eu-sEcReT-pasted-here-0123456789abcdef"],
    ["--collect.min-interval", "sEcReT-pasted-here-0123456789abcdef"],
    ["--avepoint.concurrency", "sEcReT-pasted-here-0123456789abcdef"],
    ["--web.telemetry-path", "sEcReT-pasted-here-0123456789abcdef"],
  ])("quote a rejected %s only as a short prefix", (flag, value) => {
    const message = configError([`${flag}=${value}`]);
    expect(message).toContain(flag);
    expect(message).not.toContain(value.slice(0, 10));
    expect(message).toContain(`(${value.length} characters)`);
  });

  it("quote a short value whole", () => {
    expect(quoteRejected("5x")).toBe('"5x"');
    expect(configError(["--avepoint.concurrency=5x"])).toContain('"5x"');
  });
});

describe("secret files", () => {
  it("are bounded in size, with one clear line naming the setting", () => {
    const file = join(dir, "huge-secret");
    writeFileSync(file, "a".repeat(100 * 1024));
    const message = configError([], { AVEPOINT_CLIENT_SECRET: "", AVEPOINT_CLIENT_SECRET_FILE: file });
    expect(message).toMatch(/CLIENT_SECRET_FILE.*too large/);
    expect(message).not.toContain("\n");
    expect(message).not.toContain("aaaaaa");
  });

  it("no file named by the configuration is read beyond its bound", () => {
    const file = join(dir, "big-config");
    writeFileSync(file, "b".repeat(2 * 1024 * 1024));
    expect(() => readLimitedFile(file)).toThrow(expect.objectContaining({ code: "EFBIG" }));
    expect(readLimitedFile(file, 4 * 1024 * 1024)).toHaveLength(2 * 1024 * 1024);
  });

  it("readable by others (also behind a symbolic link) give a warning; 0600 none", () => {
    takeSecretFileWarnings();
    const target = join(dir, "..data-secret");
    writeFileSync(target, "the-secret-value\n");
    chmodSync(target, 0o644);
    const link = join(dir, "client-secret");
    symlinkSync(target, link);
    const read = (file: string) =>
      (
        parseConfig(["--avepoint.client-id=a"], { AVEPOINT_CLIENT_SECRET_FILE: file }, (path) =>
          readLimitedFile(path),
        ) as { config: { avepoint: { credentials: unknown } } }
      ).config.avepoint.credentials;
    expect(read(link)).toEqual({ kind: "secret", clientSecret: "the-secret-value" });
    const warnings = takeSecretFileWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--avepoint\.client-secret.*readable by every user \(mode 0644\)/);
    expect(warnings[0]).not.toContain("the-secret-value");

    const tight = join(dir, "tight-secret");
    writeFileSync(tight, "another-secret\n");
    chmodSync(tight, 0o600);
    read(tight);
    expect(takeSecretFileWarnings()).toEqual([]);
  });

  it("in the shipped manifests get a defaultMode not readable by others", () => {
    const manifest = readFileSync(
      join(import.meta.dirname, "../../deploy/kubernetes/statefulset.yaml"),
      "utf8",
    );
    const docs = parseAllDocuments(manifest).map((d) => d.toJS() as Record<string, never>);
    const volumes = docs.flatMap(
      (d) =>
        ((d as { spec?: { template?: { spec?: { volumes?: { secret?: { defaultMode?: number } }[] } } } })
          .spec?.template?.spec?.volumes ?? []) as { secret?: { defaultMode?: number } }[],
    );
    const secrets = volumes.filter((v) => v.secret !== undefined);
    expect(secrets.length).toBeGreaterThan(0);
    for (const volume of secrets) {
      expect(volume.secret?.defaultMode).toBeDefined();
      expect((volume.secret?.defaultMode ?? 0o777) & 0o007).toBe(0);
    }
  });
});
