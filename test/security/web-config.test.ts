import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import bcrypt from "bcryptjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "avepoint-simulator";
import { runOnce, startProcess, type RunningExporter } from "../helpers/process.js";
import { createPki, httpsGet, type Pki } from "../helpers/pki.js";

const SECRET = "client-Secret-for-web-tests";
const USER = "prometheus";
const PASSWORD = "Basic-Auth-Passw0rd";

let pki: Pki;
let serverCa = "";
let simulator: Simulator | undefined;
let exporter: RunningExporter | undefined;

beforeAll(() => {
  pki = createPki();
  serverCa = pki.selfSigned("server").certPem;
  pki.selfSigned("client-ca", true);
  pki.signedBy("client-ca", "client");
  pki.selfSigned("stranger");
  pki.write("users.yml", `basic_auth_users:\n  ${USER}: "${bcrypt.hashSync(PASSWORD, 4)}"\n`);
});

afterAll(() => pki.remove());

afterEach(async () => {
  await exporter?.stop();
  await simulator?.close();
  exporter = undefined;
  simulator = undefined;
});

/** Starts the simulator and the exporter process with this web config (paths relative to the config file). */
const start = async (webConfig: string): Promise<string> => {
  const file = pki.write("web.yml", webConfig);
  simulator = await startSimulator({ customers: 2, profilesPerCustomer: 1, clientSecret: SECRET });
  exporter = await startProcess(
    [
      `--avepoint.api-url=${simulator.apiUrl}`,
      `--avepoint.token-url=${simulator.tokenUrl}`,
      "--avepoint.client-id=demo-client",
      `--web.config.file=${file}`,
    ],
    { AVEPOINT_CLIENT_SECRET: SECRET },
  );
  return exporter.url;
};

const users = (): string => readFileSync(pki.path("users.yml"), "utf8");
const TLS = "tls_server_config:\n  cert_file: server.cert.pem\n  key_file: server.key.pem\n";
const MTLS = `${TLS}  client_ca_file: client-ca.cert.pem\n  client_auth_type: RequireAndVerifyClientCert\n`;

/** A plain-HTTP GET; resolves with the status, or with the error code when the connection breaks. */
const plainGet = (url: string): Promise<{ status?: number; error?: string; body: string }> =>
  new Promise((resolve) => {
    const req = httpRequest(url, { agent: false, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, body: "" }));
    req.end();
  });

describe("--web.config.file with TLS and basic auth (real process)", () => {
  it("serves /metrics over HTTPS to the right password, 401 'Unauthorized' to anyone else", async () => {
    const url = await start(TLS + users());
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const ok = await httpsGet(`${url}/metrics`, { ca: serverCa, auth: { user: USER, password: PASSWORD } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^avepoint_up 1$/m);

    for (const auth of [
      undefined,
      { user: USER, password: "wrong" },
      { user: USER, password: `${PASSWORD}x` },
      { user: USER, password: "" },
      { user: "nobody", password: PASSWORD },
    ]) {
      const denied = await httpsGet(`${url}/metrics`, { ca: serverCa, ...(auth ? { auth } : {}) });
      expect(denied.status, JSON.stringify(auth)).toBe(401);
      expect(denied.body.trim()).toBe("Unauthorized");
      expect(denied.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    }
    // Not Basic, or not user:password.
    for (const authorization of [
      "Bearer abc",
      "Basic",
      `Basic ${Buffer.from(PASSWORD).toString("base64")}`,
    ]) {
      const denied = await httpsGet(`${url}/metrics`, {
        ca: serverCa,
        headers: { Authorization: authorization },
      });
      expect(denied.status, authorization).toBe(401);
      expect(denied.body.trim()).toBe("Unauthorized");
    }
  });

  it("guards the landing page and unknown paths; health endpoints stay open", async () => {
    const url = await start(TLS + users());
    const landing = await httpsGet(`${url}/`, { ca: serverCa });
    expect(landing.status).toBe(401);
    expect(landing.body.trim()).toBe("Unauthorized");
    expect(
      (await httpsGet(`${url}/`, { ca: serverCa, auth: { user: USER, password: PASSWORD } })).status,
    ).toBe(200);

    expect((await httpsGet(`${url}/-/healthy`, { ca: serverCa })).status).toBe(200);
    expect([200, 503]).toContain((await httpsGet(`${url}/-/ready`, { ca: serverCa })).status);

    // The open /-/ prefix must not be a way around the guard.
    for (const path of ["/-/../metrics", "/-/%2e%2e/metrics", "/nothing-here"]) {
      const answer = await httpsGet(`${url}${path}`, { ca: serverCa });
      expect(answer.status, path).not.toBe(200);
      expect(answer.body, path).not.toContain("avepoint_up");
    }
  });

  it("does not speak plain HTTP on the TLS port", async () => {
    const url = await start(TLS);
    const answer = await plainGet(`${url.replace("https://", "http://")}/metrics`);
    expect(answer.status === undefined || answer.status >= 400, JSON.stringify(answer)).toBe(true);
    expect(answer.body).not.toContain("avepoint_up");
    // And the HTTPS side works without basic auth when no users are configured.
    expect((await httpsGet(`${url}/metrics`, { ca: serverCa })).status).toBe(200);
  });

  it("with RequireAndVerifyClientCert: no client certificate fails, one from the CA succeeds", async () => {
    const url = await start(MTLS);
    await expect(httpsGet(`${url}/metrics`, { ca: serverCa })).rejects.toThrow();
    const stranger = { cert: pki.read("stranger.cert.pem"), key: pki.read("stranger.key.pem") };
    await expect(httpsGet(`${url}/metrics`, { ca: serverCa, clientCert: stranger })).rejects.toThrow();

    const client = { cert: pki.read("client.cert.pem"), key: pki.read("client.key.pem") };
    const ok = await httpsGet(`${url}/metrics`, { ca: serverCa, clientCert: client });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^avepoint_up 1$/m);
  });

  it.each([
    // [client_auth_type, no certificate, a certificate from client_ca_file, a self-signed stranger]
    ["VerifyClientCertIfGiven", "ok", "ok", "refused"],
    ["RequireAnyClientCert", "refused", "ok", "ok"],
    ["RequestClientCert", "ok", "ok", "ok"],
  ] as const)("with %s: none %s, CA-signed %s, stranger %s", async (authType, none, signed, stranger) => {
    const url = await start(`${TLS}  client_ca_file: client-ca.cert.pem\n  client_auth_type: ${authType}\n`);
    const attempt = async (clientCert?: { cert: string; key: string }): Promise<"ok" | "refused"> => {
      const answer = await httpsGet(`${url}/metrics`, {
        ca: serverCa,
        ...(clientCert ? { clientCert } : {}),
      }).catch((err: Error) => err);
      if (answer instanceof Error) return "refused";
      expect(answer.status).toBe(200);
      return "ok";
    };
    expect(await attempt()).toBe(none);
    expect(await attempt({ cert: pki.read("client.cert.pem"), key: pki.read("client.key.pem") })).toBe(
      signed,
    );
    expect(await attempt({ cert: pki.read("stranger.cert.pem"), key: pki.read("stranger.key.pem") })).toBe(
      stranger,
    );
  });

  it("with mTLS and basic auth, both are needed", async () => {
    const url = await start(MTLS + users());
    const client = { cert: pki.read("client.cert.pem"), key: pki.read("client.key.pem") };
    expect((await httpsGet(`${url}/metrics`, { ca: serverCa, clientCert: client })).status).toBe(401);
    const ok = await httpsGet(`${url}/metrics`, {
      ca: serverCa,
      clientCert: client,
      auth: { user: USER, password: PASSWORD },
    });
    expect(ok.status).toBe(200);
  });
});

describe("a bad --web.config.file stops the process with exit code 2 and one line", () => {
  const hash = bcrypt.hashSync(PASSWORD, 4);
  it.each([
    ["an unknown top-level key", `basic_auth_user:\n  ${USER}: "${hash}"\n`],
    ["an unknown TLS key", `${TLS}  cert_fil: server.cert.pem\n`],
    ["a missing certificate file", "tls_server_config:\n  cert_file: nope.pem\n  key_file: server.key.pem\n"],
    ["a missing key file", "tls_server_config:\n  cert_file: server.cert.pem\n  key_file: nope.pem\n"],
    ["a missing client CA file", `${TLS}  client_ca_file: nope.pem\n`],
    ["a plain-text password instead of a bcrypt hash", `basic_auth_users:\n  ${USER}: ${PASSWORD}\n`],
    ["a SHA-256 hash instead of bcrypt", `basic_auth_users:\n  ${USER}: "${"a".repeat(64)}"\n`],
    ["an unknown client_auth_type", `${TLS}  client_auth_type: Sometimes\n`],
    ["an unknown TLS version", `${TLS}  min_version: SSL3\n`],
    // As exporter-toolkit: a CA under NoClientCert would be a check that never happens.
    [
      "a client CA with NoClientCert",
      `${TLS}  client_ca_file: client-ca.cert.pem\n  client_auth_type: NoClientCert\n`,
    ],
    ["a YAML syntax error", "tls_server_config: [\n"],
    ["a list instead of a mapping", "- a\n- b\n"],
  ])("%s", async (_name, text) => {
    const file = pki.write("bad-web.yml", text);
    const { code, stdout, stderr } = await runOnce(["--avepoint.client-id=a", `--web.config.file=${file}`], {
      AVEPOINT_CLIENT_SECRET: SECRET,
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const lines = stderr.trimEnd().split("\n");
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^avepoint-exporter: config error: /);
    expect(lines[0]).toContain("--web.config.file");
    // A refused password is not echoed back.
    expect(stderr).not.toContain(PASSWORD);
  });

  it.each([
    [
      "a certificate file that is not a certificate",
      "cert_file",
      "tls_server_config:\n  cert_file: garbage.pem\n  key_file: server.key.pem\n",
    ],
    [
      "a key file that is not a key",
      "key_file",
      "tls_server_config:\n  cert_file: server.cert.pem\n  key_file: garbage.pem\n",
    ],
    [
      "a key that belongs to another certificate",
      "key_file",
      "tls_server_config:\n  cert_file: server.cert.pem\n  key_file: stranger.key.pem\n",
    ],
  ])("%s: named as tls_server_config.%s, not as the AvePoint private key", async (_name, key, text) => {
    pki.write("garbage.pem", "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n");
    const file = pki.write("bad-tls.yml", text);
    const { code, stdout, stderr } = await runOnce(["--avepoint.client-id=a", `--web.config.file=${file}`], {
      AVEPOINT_CLIENT_SECRET: SECRET,
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n"), stderr).toHaveLength(1);
    expect(stderr).toMatch(
      new RegExp(`^avepoint-exporter: config error: --web\\.config\\.file: .*tls_server_config\\.${key}: `),
    );
    expect(stderr).not.toContain("--avepoint.private-key-file");
  });

  it("a bcrypt hash that is cut short or beyond bcrypt's costs is refused at start", async () => {
    const hash = bcrypt.hashSync(PASSWORD, 4);
    for (const bad of [hash.slice(0, 30), hash.replace("$04$", "$32$")]) {
      const file = pki.write("bad-hash.yml", `basic_auth_users:\n  ${USER}: "${bad}"\n`);
      const { code, stderr } = await runOnce(["--avepoint.client-id=a", `--web.config.file=${file}`], {
        AVEPOINT_CLIENT_SECRET: SECRET,
      });
      expect(code).toBe(2);
      expect(stderr.trimEnd().split("\n"), stderr).toHaveLength(1);
      expect(stderr).toContain(`--web.config.file: ${file}: basic_auth_users.${USER}: `);
    }
  });

  it("a web config file that does not exist", async () => {
    const { code, stderr } = await runOnce(
      ["--avepoint.client-id=a", `--web.config.file=${pki.path("missing.yml")}`],
      { AVEPOINT_CLIENT_SECRET: SECRET },
    );
    expect(code).toBe(2);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toContain("--web.config.file");
  });
});
