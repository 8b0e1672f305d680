import { describe, expect, it } from "vitest";
import {
  clipRedacted,
  MIN_SECRET_FRAGMENT,
  redactor,
  redactUrlCredentials,
  secretsOf,
} from "../../src/config/secrets.js";

const SECRET = "cs-91d2f0aa-Fragment-Canary-Value";

/** Every piece of `secret` at least MIN_SECRET_FRAGMENT long. */
const fragments = (secret: string): string[] => {
  const out: string[] = [];
  for (let start = 0; start < secret.length; start++)
    for (let end = start + MIN_SECRET_FRAGMENT; end <= secret.length; end++)
      out.push(secret.slice(start, end));
  return out;
};

const expectNoFragment = (text: string, secret = SECRET): void => {
  for (const piece of fragments(secret))
    expect(text, `piece "${piece}" left in "${text}"`).not.toContain(piece);
};

describe("redacting secrets", () => {
  const redact = redactor([SECRET]);

  it("replaces the secret in all its encodings, and only it", () => {
    const text = `a ${SECRET} b ${encodeURIComponent(SECRET)} c ${Buffer.from(SECRET).toString("base64")} d`;
    expect(redact(text)).toBe("a [REDACTED] b [REDACTED] c [REDACTED] d");
  });

  it.each([
    ["its head", SECRET.slice(0, 9)],
    ["its tail", SECRET.slice(-7)],
    ["its middle", SECRET.slice(5, 17)],
    ["the shortest piece that counts", SECRET.slice(3, 3 + MIN_SECRET_FRAGMENT)],
  ])("removes %s wherever it stands", (_name, piece) => {
    const out = redact(`before ${piece}after and ${piece}`);
    expect(out).not.toContain(piece);
    expect(out).toContain("before ");
  });

  it("leaves pieces shorter than the minimum: they would match ordinary words", () => {
    const short = SECRET.slice(0, MIN_SECRET_FRAGMENT - 1);
    expect(redact(`x ${short} y`)).toBe(`x ${short} y`);
  });

  it.each(Array.from({ length: 40 }, (_, i) => 180 + i))(
    "a secret cut at the limit leaves no piece of it (secret starting at %i of a 200-character limit)",
    (at) => {
      const text = `${"e".repeat(at)}${SECRET} and more text after it`;
      const clipped = clipRedacted(text, 200, redact);
      expectNoFragment(clipped);
      expect(clipped.length).toBeLessThanOrEqual(201);
    },
  );

  it("an upstream that cut the secret itself: the piece at either edge is removed", () => {
    const text = `${SECRET.slice(11)} middle ${SECRET.slice(0, 14)}`;
    expect(redact(text)).toBe("[REDACTED] middle [REDACTED]");
  });

  it.each([
    ["a bearer token", "sent Authorization: Bearer abcdefgh.ijklmnop-qrst", "abcdefgh.ijklmnop-qrst"],
    ["basic credentials", "header Basic dXNlcjpwYXNzd29yZA== seen", "dXNlcjpwYXNzd29yZA"],
    ["a password in a URL", "fetching https://user:hunter22@host/x", "hunter22"],
    ["a form field", "body grant_type=x&client_secret=abcdef123&scope=y", "abcdef123"],
    ["a JSON field", '{"access_token":"opaque-token-value","x":1}', "opaque-token-value"],
    ["a JWT", "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl here", "eyJzdWIiOiJ4In0"],
  ])("removes %s, known or not", (_name, text, secret) => {
    const out = redactor([])(text);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/\[REDACTED\]|:\/\/\*\*\*@/);
  });

  it("is linear: a megabyte of text with secrets all over it", () => {
    const big = `${"x".repeat(100)}${SECRET.slice(0, 10)} `.repeat(10_000);
    const out = redact(big);
    expect(out).not.toContain(SECRET.slice(0, 10));
    expect(out.match(/\[REDACTED\]/g)).toHaveLength(10_000);
  });

  it("the secrets of a configuration: client secret, or key password and key body (not PEM headers)", () => {
    expect(secretsOf({ kind: "secret", clientSecret: "abc" })).toEqual(["abc"]);
    const pem =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nMIIBkeybody1\nMIIBkeybody2\n-----END ENCRYPTED PRIVATE KEY-----\n";
    expect(
      secretsOf({ kind: "certificate", certificatePem: "", privateKeyPem: pem, privateKeyPassword: "pw" }),
    ).toEqual(["pw", "MIIBkeybody1", "MIIBkeybody2"]);
  });

  it("hides the user-info of a URL", () => {
    expect(redactUrlCredentials("https://u:p@h/x https://h/y")).toBe("https://***@h/x https://h/y");
  });
});
