import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSimulator } from "../helpers/exporter.js";
import { runOnce, testProcess } from "../helpers/process.js";
import { basic, createPki, type Pki } from "../helpers/pki.js";

// Distinctive values, so that any leak (whole or in a log field) is found by a plain substring search.
const CLIENT_SECRET = "cs-7f3a9c1e-Leak-Canary-Secret";
const KEY_PASSWORD = "kp-2b8d4e6f-Leak-Canary-Password";
const WRONG_KEY_PASSWORD = "kp-wrong-0c1d-Leak-Canary";
const WEB_PASSWORD = "wp-9e1f3a5b-Leak-Canary-Basic";
const USER = "prometheus";

let pki: Pki;
let webConfig = "";
let webHash = "";
let cert: { certFile: string; keyFile: string; certPem: string; keyPem: string };
let encryptedKey = "";

beforeAll(() => {
  pki = createPki();
  cert = pki.selfSigned("app");
  encryptedKey = pki.encryptKey(cert.keyFile, "app.enc.key.pem", KEY_PASSWORD, "pkcs8");
  webHash = bcrypt.hashSync(WEB_PASSWORD, 4);
  webConfig = pki.write("web.yml", `basic_auth_users:\n  ${USER}: "${webHash}"\n`);
});

afterAll(() => pki.remove());

/** Every byte an operator or a scraper could see: response bodies and headers. */
const exercise = async (url: string, seen: string[]): Promise<void> => {
  const get = async (path: string, authorization?: string): Promise<number> => {
    const response = await fetch(
      `${url}${path}`,
      authorization ? { headers: { Authorization: authorization } } : {},
    );
    seen.push(`${path} ${response.status}`, JSON.stringify([...response.headers]), await response.text());
    return response.status;
  };
  const right = basic(USER, WEB_PASSWORD);
  expect(await get("/metrics", right)).toBe(200);
  expect(await get("/metrics")).toBe(401);
  expect(await get("/metrics", basic(USER, `${WEB_PASSWORD}-not`))).toBe(401);
  expect(await get("/metrics", basic("admin", WEB_PASSWORD))).toBe(401);
  expect(await get("/", right)).toBe(200);
  expect(await get("/", basic(USER, "nope"))).toBe(401);
  expect(await get("/-/healthy")).toBe(200);
  await get("/-/ready");
  await get("/does-not-exist", right);
};

/** Asserts that none of the secrets, nor the password's hash or the private key, is in any of the texts. */
const expectNoSecret = (texts: readonly string[]): void => {
  const secrets = [
    CLIENT_SECRET,
    KEY_PASSWORD,
    WRONG_KEY_PASSWORD,
    WEB_PASSWORD,
    webHash,
    // Base64 forms, as they travel in Authorization headers.
    Buffer.from(`${USER}:${WEB_PASSWORD}`).toString("base64"),
    // Any line of the private key's body.
    ...cert.keyPem.split("\n").filter((line) => line.length > 40),
  ];
  const all = texts.join("\n");
  for (const secret of secrets) expect(all.includes(secret), `leaked: ${secret.slice(0, 12)}…`).toBe(false);
};

describe("no secret ever shows up in logs, answers or --config.check", () => {
  it("client secret and basic-auth password", async () => {
    const seen: string[] = [];
    const env = { AVEPOINT_CLIENT_SECRET: CLIENT_SECRET };
    // The identity service refuses the first token request, so the refusal is logged (at debug level too).
    const simulator = await testSimulator({
      customers: 3,
      profilesPerCustomer: 2,
      clientSecret: CLIENT_SECRET,
      faults: { tokenStatus: 401 },
    });
    const args = [
      `--avepoint.api-url=${simulator.apiUrl}`,
      `--avepoint.token-url=${simulator.tokenUrl}`,
      "--avepoint.client-id=demo-client",
      `--web.config.file=${webConfig}`,
      "--log.level=debug",
      "--collect.min-interval=0s",
    ];
    // logfmt is rendered from pino's JSON lines, so whatever one leaks the other does too.
    const exporter = await testProcess(args, env);
    const refused = await fetch(`${exporter.url}/metrics`, {
      headers: { Authorization: basic(USER, WEB_PASSWORD) },
    });
    const refusedText = await refused.text();
    seen.push(refusedText);
    expect(refusedText).toMatch(/^avepoint_up 0$/m);
    simulator.setFaults({ tokenStatus: null });
    await exercise(exporter.url, seen);
    expect(seen.join("\n")).toMatch(/^avepoint_up 1$/m);
    await exporter.stop();
    seen.push(exporter.output());
    expect(exporter.output()).toMatch(/invalid_client/);
    expect(exporter.output()).toMatch(/level=warn msg="cannot list customers[^"]*".*invalid_client/);

    // --config.check with the secret from the environment and from a file.
    const secretFile = pki.write("secret.txt", `${CLIENT_SECRET}\n`);
    for (const [checkArgs, checkEnv] of [
      [args, env],
      [[...args, `--avepoint.client-secret-file=${secretFile}`], {}],
      [args, { AVEPOINT_CLIENT_SECRET_FILE: secretFile }],
    ] as const) {
      const check = await runOnce([...checkArgs, "--config.check"], checkEnv);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toContain("<secret>");
      seen.push(check.stdout, check.stderr);
    }
    expectNoSecret(seen);
  });

  it("credentials in a URL setting stop the process with one line, also with --config.check", async () => {
    const inUrl = "Url-Pa55-9c4e-Leak-Canary";
    for (const [args, env] of [
      [[`--avepoint.api-url=https://partner:${inUrl}@graph.example.com`], {}],
      [[`--avepoint.token-url=https://partner:${inUrl}@id.example.com/connect/token`, "--config.check"], {}],
      [["--config.check"], { AVEPOINT_TOKEN_URL: `https://${inUrl}@id.example.com/connect/token` }],
    ] as const) {
      const run = await runOnce(["--avepoint.client-id=demo-client", ...args], {
        AVEPOINT_CLIENT_SECRET: CLIENT_SECRET,
        ...env,
      });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trimEnd().split("\n"), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(
        /^avepoint-exporter: config error: (--avepoint\.(api|token)-url|AVEPOINT_TOKEN_URL): must not contain credentials/,
      );
      expect(run.stderr).not.toContain(inUrl);
      expect(run.stderr).not.toContain("Url-Pa55");
    }
  });

  it("a wrong client secret: refused and logged, the secret is not", async () => {
    const simulator = await testSimulator({
      customers: 1,
      profilesPerCustomer: 1,
      clientSecret: "the-right-one",
    });
    const exporter = await testProcess(
      [
        `--avepoint.api-url=${simulator.apiUrl}`,
        `--avepoint.token-url=${simulator.tokenUrl}`,
        "--avepoint.client-id=demo-client",
        "--log.level=debug",
      ],
      { AVEPOINT_CLIENT_SECRET: CLIENT_SECRET },
    );
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(text).toMatch(/^avepoint_up 0$/m);
    await exporter.stop();
    expect(exporter.output()).toMatch(/invalid_client/);
    expectNoSecret([text, exporter.output()]);
  });

  it("private key password (certificate authentication) and basic-auth password", async () => {
    const seen: string[] = [];
    const simulator = await testSimulator({
      customers: 3,
      profilesPerCustomer: 2,
      clientSecret: null,
      clientCertificatePem: cert.certPem,
      faults: { tokenStatus: 401 },
    });
    const passwordFile = pki.write("key-password.txt", `${KEY_PASSWORD}\n`);
    const args = [
      `--avepoint.api-url=${simulator.apiUrl}`,
      `--avepoint.token-url=${simulator.tokenUrl}`,
      "--avepoint.client-id=demo-client",
      `--avepoint.certificate-file=${cert.certFile}`,
      `--avepoint.private-key-file=${encryptedKey}`,
      `--web.config.file=${webConfig}`,
      "--log.level=debug",
      "--collect.min-interval=0s",
    ];
    const env = { AVEPOINT_PRIVATE_KEY_PASSWORD: KEY_PASSWORD };
    const exporter = await testProcess(args, env);
    const first = await (
      await fetch(`${exporter.url}/metrics`, { headers: { Authorization: basic(USER, WEB_PASSWORD) } })
    ).text();
    expect(first).toMatch(/^avepoint_up 0$/m);
    seen.push(first);
    simulator.setFaults({ tokenStatus: null });
    await exercise(exporter.url, seen);
    expect(seen.join("\n")).toMatch(/^avepoint_up 1$/m);
    await exporter.stop();
    seen.push(exporter.output());
    expect(exporter.output()).toMatch(/invalid_client/);

    for (const [checkArgs, checkEnv] of [
      [args, env],
      [[...args, `--avepoint.private-key-password-file=${passwordFile}`], {}],
      [args, { AVEPOINT_PRIVATE_KEY_PASSWORD_FILE: passwordFile }],
    ] as const) {
      const check = await runOnce([...checkArgs, "--config.check"], checkEnv);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toContain("<secret>");
      seen.push(check.stdout, check.stderr);
    }
    // A wrong password: the process refuses to start, naming the key file, without echoing the password.
    const wrong = await runOnce(args, { AVEPOINT_PRIVATE_KEY_PASSWORD: WRONG_KEY_PASSWORD });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--avepoint.private-key-file");
    seen.push(wrong.stdout, wrong.stderr);
    expectNoSecret(seen);
  });
});
