import { execFileSync } from "node:child_process";
import { X509Certificate, createHash, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, importPKCS8 } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../src/server.js";
import { V3, call, requestToken, start } from "./helpers.js";

interface KeyPair {
  keyPem: string;
  certPem: string;
}

let dir = "";
let good: KeyPair;
let other: KeyPair;

function makeKeyPair(name: string): KeyPair {
  const keyOut = join(dir, `${name}.key.pem`);
  const certOut = join(dir, `${name}.cert.pem`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=test",
      "-days",
      "1",
      "-keyout",
      keyOut,
      "-out",
      certOut,
    ],
    { stdio: "ignore" },
  );
  return { keyPem: readFileSync(keyOut, "utf8"), certPem: readFileSync(certOut, "utf8") };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sim-assertion-"));
  good = makeKeyPair("good");
  other = makeKeyPair("other");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const thumbprint = (certPem: string): string =>
  createHash("sha1").update(new X509Certificate(certPem).raw).digest("base64url");

interface AssertionOptions {
  /** Sign with a key that is not the registered certificate's. */
  otherKey?: boolean;
  aud?: string;
  iss?: string;
  expiresIn?: number;
  jti?: string;
  x5t?: string | null;
}

async function assertion(sim: Simulator, o: AssertionOptions = {}): Promise<string> {
  const keys = o.otherKey === true ? other : good;
  const now = Math.floor(Date.now() / 1000);
  const x5t = o.x5t === undefined ? thumbprint(keys.certPem) : o.x5t;
  return new SignJWT({})
    .setProtectedHeader(x5t === null ? { alg: "RS256", typ: "JWT" } : { alg: "RS256", typ: "JWT", x5t })
    .setIssuer(o.iss ?? "demo-client")
    .setSubject(o.iss ?? "demo-client")
    .setAudience(o.aud ?? sim.tokenUrl)
    .setJti(o.jti ?? randomUUID())
    .setIssuedAt(now - 5)
    .setNotBefore(now - 5)
    .setExpirationTime(now + (o.expiresIn ?? 300))
    .sign(await importPKCS8(keys.keyPem, "RS256"));
}

const tokenWith = (sim: Simulator, clientAssertion: string): Promise<Response> =>
  requestToken(sim, {
    grant_type: "client_credentials",
    client_id: "demo-client",
    scope: "elements.customers.read.all elements.scanprofiles.read.all",
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: clientAssertion,
  });

describe("client assertion", () => {
  it("issues a usable token for a valid assertion, with or without x5t", async () => {
    const sim = await start({ clientSecret: null, clientCertificatePem: good.certPem });
    const res = await tokenWith(sim, await assertion(sim));
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await call(sim, V3, access_token)).status).toBe(200);
    expect((await tokenWith(sim, await assertion(sim, { x5t: null }))).status).toBe(200);
    expect(sim.stats().usedJti).toBe(2);
  });

  it.each<[string, AssertionOptions | "replay", RegExp]>([
    ["a different key", { otherKey: true, x5t: null }, /signature/],
    ["an expired assertion", { expiresIn: -60 }, /expired/],
    ["a wrong audience", { aud: "https://identity.avepointonlineservices.com/connect/token" }, /aud/],
    ["a wrong issuer", { iss: "someone-else" }, /iss/],
    ["a wrong x5t", { x5t: "AAAA" }, /x5t/],
    ["a replayed jti", "replay", /jti/],
  ])("refuses %s with invalid_client", async (_name, options, reason) => {
    const sim = await start({ clientCertificatePem: good.certPem });
    let jwt: string;
    if (options === "replay") {
      jwt = await assertion(sim, { jti: "once" });
      expect((await tokenWith(sim, jwt)).status).toBe(200);
    } else {
      jwt = await assertion(sim, options);
    }
    const res = await tokenWith(sim, jwt);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe("invalid_client");
    expect(body.error_description).toMatch(reason);
  });

  it("refuses assertions when no certificate is registered", async () => {
    const sim = await start();
    const res = await tokenWith(sim, await assertion(sim));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_client");
  });
});
