import { X509Certificate, createPrivateKey, randomUUID, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "avepoint-simulator";
import { exporterFor, testExporter, testSimulator } from "../helpers/exporter.js";
import { createPki, type Pki } from "../helpers/pki.js";

const PASSWORD = "k3y-Passw0rd-for-tests";
/** Keys and certificates are real files here, and no client secret is given. */
const FILES = { files: true, secret: false } as const;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let pki: Pki;
let registered: { certFile: string; keyFile: string; certPem: string; keyPem: string };
let other: { certFile: string; keyFile: string; certPem: string; keyPem: string };

beforeAll(() => {
  pki = createPki();
  registered = pki.selfSigned("registered");
  other = pki.selfSigned("other");
});

afterAll(() => pki.remove());

const startCertSimulator = (): Promise<Simulator> =>
  testSimulator({
    customers: 3,
    profilesPerCustomer: 2,
    clientSecret: null,
    clientCertificatePem: registered.certPem,
  });

const upOf = (text: string): string | undefined => /^avepoint_up (\S+)$/m.exec(text)?.[1];

describe("certificate authentication against the identity service", () => {
  it.each([
    ["a PKCS#8 key", () => registered.keyFile, [] as string[], {}],
    ["a PKCS#1 key", () => pki.pkcs1Key(registered.keyFile, "pkcs1.key.pem"), [], {}],
    [
      "an encrypted PKCS#8 key, password from a file",
      () => pki.encryptKey(registered.keyFile, "enc8.key.pem", PASSWORD, "pkcs8"),
      [`--avepoint.private-key-password-file=${"<password-file>"}`],
      {},
    ],
    [
      "an encrypted PKCS#1 key, password from AVEPOINT_PRIVATE_KEY_PASSWORD",
      () => pki.encryptKey(registered.keyFile, "enc1.key.pem", PASSWORD, "pkcs1"),
      [],
      { AVEPOINT_PRIVATE_KEY_PASSWORD: PASSWORD },
    ],
  ])("gets a token with %s and reports avepoint_up 1", async (_name, keyFile, extra, env) => {
    const passwordFile = pki.write("password.txt", `${PASSWORD}\n`);
    const simulator = await startCertSimulator();
    const exporter = await testExporter(
      simulator,
      [
        `--avepoint.certificate-file=${registered.certFile}`,
        `--avepoint.private-key-file=${keyFile()}`,
        ...extra.map((arg) => arg.replace("<password-file>", passwordFile)),
      ],
      env,
      FILES,
    );
    const { status, text } = await exporter.scrape();
    expect(status).toBe(200);
    expect(upOf(text)).toBe("1");
    expect(text.match(/^avepoint_customer_info\{/gm)).toHaveLength(3);
    expect(text).toMatch(/^avepoint_token_requests_total\{result="success"\} 1$/m);
    // One assertion accepted, and its jti is now spent.
    expect(simulator.stats().usedJti).toBe(1);
  });

  it("refuses to start with an encrypted key and no or a wrong password", async () => {
    const encrypted = pki.encryptKey(registered.keyFile, "enc-wrong.key.pem", PASSWORD, "pkcs8");
    const simulator = await startCertSimulator();
    const argv = [
      `--avepoint.certificate-file=${registered.certFile}`,
      `--avepoint.private-key-file=${encrypted}`,
    ];
    await expect(
      exporterFor(simulator, argv, { AVEPOINT_PRIVATE_KEY_PASSWORD: "not-the-password" }, FILES),
    ).rejects.toThrow();
    await expect(exporterFor(simulator, argv, {}, FILES)).rejects.toThrow();
  });

  it("with a key that does not belong to the registered certificate: avepoint_up 0, /metrics 200, invalid_client logged", async () => {
    const simulator = await startCertSimulator();
    const exporter = await testExporter(
      simulator,
      [`--avepoint.certificate-file=${registered.certFile}`, `--avepoint.private-key-file=${other.keyFile}`],
      {},
      FILES,
    );
    const { status, text } = await exporter.scrape();
    expect(status).toBe(200);
    expect(upOf(text)).toBe("0");
    expect(simulator.stats().usedJti).toBe(0);
    const refusal = exporter.logs.find((line) => line.includes("invalid_client"));
    expect(refusal, exporter.logs.join("\n")).toBeDefined();
    const entry = JSON.parse(refusal!) as Record<string, unknown>;
    expect(entry.level).toBe("warn");
    expect(String(entry.err)).toMatch(/identity service refused the token request: HTTP 400 invalid_client/);
    expect(String(entry.err)).toContain("signature does not verify");
    // The key itself never reaches the log.
    const keyBody = other.keyPem.split("\n")[1]!;
    for (const line of exporter.logs) expect(line).not.toContain(keyBody);
  });

  it("with the certificate of another app: refused as well (thumbprint and signature do not match)", async () => {
    const simulator = await startCertSimulator();
    const exporter = await testExporter(
      simulator,
      [`--avepoint.certificate-file=${other.certFile}`, `--avepoint.private-key-file=${other.keyFile}`],
      {},
      FILES,
    );
    const { status, text } = await exporter.scrape();
    expect(status).toBe(200);
    expect(upOf(text)).toBe("0");
    expect(exporter.logs.some((line) => line.includes("invalid_client"))).toBe(true);
  });
});

describe("the simulator's identity service checks client assertions", () => {
  let key: KeyObject;
  let otherKey: KeyObject;
  const x5t = (certPem: string): string =>
    Buffer.from(new X509Certificate(certPem).fingerprint.replaceAll(":", ""), "hex").toString("base64url");

  beforeAll(() => {
    key = createPrivateKey(registered.keyPem);
    otherKey = createPrivateKey(other.keyPem);
  });

  interface Claims {
    aud?: string;
    iss?: string;
    sub?: string;
    jti?: string;
    exp?: number;
    nbf?: number;
    x5tOf?: string;
    signWith?: KeyObject;
  }

  const sign = (sim: Simulator, claims: Claims = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: "RS256", typ: "JWT", x5t: x5t(claims.x5tOf ?? registered.certPem) })
      .setIssuer(claims.iss ?? "demo-client")
      .setSubject(claims.sub ?? "demo-client")
      .setAudience(claims.aud ?? sim.tokenUrl)
      .setJti(claims.jti ?? randomUUID())
      .setIssuedAt(now - 10)
      .setNotBefore(claims.nbf ?? now - 10)
      .setExpirationTime(claims.exp ?? now + 300)
      .sign(claims.signWith ?? key);
  };

  const post = async (
    sim: Simulator,
    assertion: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(sim.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "demo-client",
        scope: "elements.customers.read.all elements.scanprofiles.read.all",
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("accepts a well-formed assertion once and refuses the same jti replayed", async () => {
    const simulator = await startCertSimulator();
    const jti = randomUUID();
    const first = await post(simulator, await sign(simulator, { jti }));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: "Bearer", access_token: expect.any(String) });
    // The very same assertion, and a fresh signature reusing the jti: both are replays.
    const replay = await post(simulator, await sign(simulator, { jti }));
    expect(replay).toEqual({
      status: 400,
      body: { error: "invalid_client", error_description: "jti already used (replay)" },
    });
    expect(simulator.stats().usedJti).toBe(1);
  });

  it("refuses an expired assertion", async () => {
    const simulator = await startCertSimulator();
    const now = Math.floor(Date.now() / 1000);
    const expired = await post(simulator, await sign(simulator, { exp: now - 120, nbf: now - 600 }));
    expect(expired).toEqual({
      status: 400,
      body: { error: "invalid_client", error_description: "assertion expired" },
    });
    expect(simulator.stats().usedJti).toBe(0);
  });

  it.each([
    ["another audience", { aud: "https://identity.example.com/connect/token" }, /claim aud invalid/],
    ["another issuer", { iss: "someone-else" }, /claim iss invalid/],
    ["another subject", { sub: "someone-else" }, /claim sub invalid/],
    ["a signature by another key", { signWith: "other" }, /signature does not verify/],
    ["the thumbprint of another certificate", { x5tOf: "other" }, /x5t does not match/],
    ["a not-before in the future", { nbf: "future" }, /claim nbf invalid/],
  ] as const)("refuses an assertion with %s", async (_name, patch, reason) => {
    const simulator = await startCertSimulator();
    const claims: Claims = {};
    if ("aud" in patch) claims.aud = patch.aud;
    if ("iss" in patch) claims.iss = patch.iss;
    if ("sub" in patch) claims.sub = patch.sub;
    if ("signWith" in patch) claims.signWith = otherKey;
    if ("x5tOf" in patch) claims.x5tOf = other.certPem;
    if ("nbf" in patch) claims.nbf = Math.floor(Date.now() / 1000) + 3600;
    const { status, body } = await post(simulator, await sign(simulator, claims));
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_client");
    expect(String(body.error_description)).toMatch(reason);
    expect(body).not.toHaveProperty("access_token");
  });
});
