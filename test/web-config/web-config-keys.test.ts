/**
 * Every key of exporter-toolkit's web config (docs/web-configuration.md): accepted as the toolkit's
 * documented examples write it and honoured on the wire, or refused at load with one line naming it.
 */
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { readWebConfig } from "../../src/web-config/file.js";
import { createPki, tlsGet, type Pki } from "../helpers/pki.js";
import { serveWith } from "../helpers/web-server.js";

const USER = "prometheus";
const PASSWORD = "Keys-Test-Passw0rd";

let pki: Pki;
let serverCa = "";
let hash = "";

beforeAll(() => {
  pki = createPki();
  serverCa = pki.selfSigned("server").certPem;
  pki.selfSigned("client-ca", true);
  pki.signedBy("client-ca", "allowed", "DNS:scraper.example.net,IP:10.0.0.7");
  pki.signedBy("client-ca", "other", "DNS:intruder.example.net");
  hash = bcrypt.hashSync(PASSWORD, 4);
});

afterAll(() => pki.remove());

const TLS = "tls_server_config:\n  cert_file: server.cert.pem\n  key_file: server.key.pem\n";
const indent = (pem: string): string =>
  pem
    .trimEnd()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
const client = (name: string) => ({ cert: pki.read(`${name}.cert.pem`), key: pki.read(`${name}.key.pem`) });

const refusal = (text: string): string => {
  try {
    readWebConfig(pki.write("refused.yml", text));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("accepted");
};

describe("accepted as the toolkit documents them", () => {
  it.each([
    ["the documented TLS and basic auth example", () => `${TLS}basic_auth_users:\n  alice: ${hash}\n`],
    [
      "every documented header (toolkit's web_config_headers.good.yml)",
      () =>
        "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000; includeSubDomains\n    X-Content-Type-Options: nosniff\n    X-XSS-Protection: 1\n    Content-Security-Policy: \"default-src 'self' *.test.example.net\"\n",
    ],
    [
      "every cipher suite of Go's tls.CipherSuites()",
      () =>
        `${TLS}  cipher_suites:\n${[
          "TLS_RSA_WITH_AES_128_CBC_SHA",
          "TLS_RSA_WITH_AES_256_CBC_SHA",
          "TLS_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
          "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
          "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
          "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        ]
          .map((name) => `    - ${name}`)
          .join("\n")}\n  prefer_server_cipher_suites: false\n`,
    ],
    [
      "every curve (toolkit's tls_config_noAuth_allCurves.good.yml)",
      () => `${TLS}  curve_preferences:\n    - CurveP256\n    - CurveP384\n    - CurveP521\n    - X25519\n`,
    ],
    ["every TLS version as minimum and maximum", () => `${TLS}  min_version: TLS10\n  max_version: TLS13\n`],
    [
      "client certificates with allowed SANs",
      () =>
        `${TLS}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: client-ca.cert.pem\n  client_allowed_sans:\n    - scraper.example.net\n`,
    ],
    ["the old spelling RequireClientCert", () => `${TLS}  client_auth_type: RequireClientCert\n`],
    [
      "inline cert, key and client_ca",
      () =>
        `tls_server_config:\n  cert: |\n${indent(pki.read("server.cert.pem"))}\n  key: |\n${indent(pki.read("server.key.pem"))}\n  client_ca: |\n${indent(pki.read("client-ca.cert.pem"))}\n  client_auth_type: VerifyClientCertIfGiven\n`,
    ],
    ["http2 off", () => "http_server_config:\n  http2: false\n"],
    ["a rate limit", () => "rate_limit:\n  interval: 1s\n  burst: 10\n"],
    ["a rate limit turned off", () => "rate_limit:\n  interval: 0\n  burst: 0\n"],
    ["empty sections", () => "tls_server_config:\nhttp_server_config:\nbasic_auth_users:\nrate_limit:\n"],
  ])("%s", (_name, text) => {
    expect(() => readWebConfig(pki.write("good.yml", text()))).not.toThrow();
  });
});

describe("refused at load with one line naming the key", () => {
  it.each([
    ["http2 on (not offered)", "http_server_config:\n  http2: true\n", "http_server_config.http2"],
    [
      "a header the toolkit does not allow (web_config_headers_extra_header.bad.yml)",
      "http_server_config:\n  headers:\n    Permissions-Policy: geolocation=()\n",
      "http_server_config.headers.Permissions-Policy",
    ],
    [
      "X-Frame-Options other than deny or sameorigin",
      "http_server_config:\n  headers:\n    X-Frame-Options: allow-from\n",
      "http_server_config.headers.X-Frame-Options",
    ],
    [
      "X-Content-Type-Options other than nosniff",
      "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n",
      "http_server_config.headers.X-Content-Type-Options",
    ],
    [
      "an invented cipher suite",
      `${TLS}  cipher_suites:\n    - TLS_INVENTED\n`,
      "tls_server_config.cipher_suites",
    ],
    [
      "an insecure cipher suite",
      `${TLS}  cipher_suites:\n    - TLS_RSA_WITH_RC4_128_SHA\n`,
      "tls_server_config.cipher_suites",
    ],
    [
      "an invented curve (tls_config_noAuth_inventedCurves.bad.yml)",
      `${TLS}  curve_preferences:\n    - CurveP257\n`,
      "tls_server_config.curve_preferences",
    ],
    ["a wrong TLS version", `${TLS}  min_version: TLS111\n`, "tls_server_config.min_version"],
    [
      "a maximum below the minimum",
      `${TLS}  min_version: TLS13\n  max_version: TLS12\n`,
      "tls_server_config.max_version",
    ],
    ["cert and cert_file both", `${TLS}  cert: "-----BEGIN CERTIFICATE-----"\n`, "tls_server_config.cert"],
    [
      "TLS settings without a certificate (the toolkit would serve plain HTTP)",
      "tls_server_config:\n  min_version: TLS13\n",
      "tls_server_config.cert_file",
    ],
    [
      "client_allowed_sans with a policy that lets a client send no certificate",
      `${TLS}  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: client-ca.cert.pem\n  client_allowed_sans: [a]\n`,
      "tls_server_config.client_allowed_sans",
    ],
    [
      "an inline client_ca that is no certificate",
      `${TLS}  client_ca: nonsense\n  client_auth_type: RequireAndVerifyClientCert\n`,
      "tls_server_config.client_ca",
    ],
    [
      "a rate limit interval without a unit",
      "rate_limit:\n  interval: 100\n  burst: 1\n",
      "rate_limit.interval",
    ],
    ["an unknown rate limit key", "rate_limit:\n  every: 1s\n", "rate_limit"],
    ["an unknown http_server_config key", "http_server_config:\n  http3: true\n", "http_server_config"],
  ])("%s", (_name, text, key) => {
    const message = refusal(text);
    expect(message).toMatch(/^--web\.config\.file: /);
    expect(message).toContain(key);
    expect(message).not.toContain("\n");
  });
});

describe("honoured on the wire", () => {
  it("min_version TLS13: a TLS 1.2-only client is refused, a TLS 1.3 client served", async () => {
    const { url } = await serveWith(pki.write("web.yml", `${TLS}  min_version: TLS13\n`));
    await expect(
      tlsGet(`${url}/-/healthy`, { ca: serverCa, tls: { maxVersion: "TLSv1.2" } }),
    ).rejects.toThrow();
    const ok = await tlsGet(`${url}/-/healthy`, { ca: serverCa });
    expect(ok.status).toBe(200);
    expect(ok.protocol).toBe("TLSv1.3");
  });

  it("max_version TLS12: a TLS 1.3-only client is refused, TLS 1.2 is spoken", async () => {
    const { url } = await serveWith(pki.write("web.yml", `${TLS}  max_version: TLS12\n`));
    await expect(
      tlsGet(`${url}/-/healthy`, { ca: serverCa, tls: { minVersion: "TLSv1.3" } }),
    ).rejects.toThrow();
    expect((await tlsGet(`${url}/-/healthy`, { ca: serverCa })).protocol).toBe("TLSv1.2");
  });

  it("cipher_suites: only the listed suites; prefer_server_cipher_suites picks the server's order", async () => {
    const suites =
      "  max_version: TLS12\n  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n";
    const { url } = await serveWith(pki.write("web.yml", TLS + suites));
    const clientOrder = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";
    const served = await tlsGet(`${url}/-/healthy`, { ca: serverCa, tls: { ciphers: clientOrder } });
    expect(served.cipher).toBe("ECDHE-RSA-AES256-GCM-SHA384");
    await expect(
      tlsGet(`${url}/-/healthy`, { ca: serverCa, tls: { ciphers: "ECDHE-RSA-CHACHA20-POLY1305" } }),
    ).rejects.toThrow();

    const { url: clientFirst } = await serveWith(
      pki.write("web2.yml", `${TLS + suites}  prefer_server_cipher_suites: false\n`),
    );
    const chosen = await tlsGet(`${clientFirst}/-/healthy`, { ca: serverCa, tls: { ciphers: clientOrder } });
    expect(chosen.cipher).toBe("ECDHE-RSA-AES128-GCM-SHA256");
  });

  it("curve_preferences: a client without the listed curve is refused", async () => {
    const { url } = await serveWith(pki.write("web.yml", `${TLS}  curve_preferences:\n    - CurveP384\n`));
    await expect(
      tlsGet(`${url}/-/healthy`, { ca: serverCa, tls: { ecdhCurve: "P-256:X25519" } }),
    ).rejects.toThrow();
    const ok = await tlsGet(`${url}/-/healthy`, { ca: serverCa, tls: { ecdhCurve: "X25519:P-384" } });
    expect(ok.group).toBe("secp384r1");
  });

  it("client_allowed_sans: a certificate from the CA without an allowed SAN is dropped", async () => {
    const { url } = await serveWith(
      pki.write(
        "web.yml",
        `${TLS}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: client-ca.cert.pem\n  client_allowed_sans:\n    - 10.0.0.7\n`,
      ),
    );
    expect((await tlsGet(`${url}/-/healthy`, { ca: serverCa, clientCert: client("allowed") })).status).toBe(
      200,
    );
    await expect(tlsGet(`${url}/-/healthy`, { ca: serverCa, clientCert: client("other") })).rejects.toThrow();
  });

  it("inline cert and key serve TLS like the files", async () => {
    const { url } = await serveWith(
      pki.write(
        "web.yml",
        `tls_server_config:\n  cert: |\n${indent(pki.read("server.cert.pem"))}\n  key: |\n${indent(pki.read("server.key.pem"))}\n`,
      ),
    );
    expect((await tlsGet(`${url}/-/healthy`, { ca: serverCa })).status).toBe(200);
  });

  it("an inline client_ca verifies client certificates like client_ca_file", async () => {
    const { url } = await serveWith(
      pki.write(
        "web.yml",
        `${TLS}  client_auth_type: RequireAndVerifyClientCert\n  client_ca: |\n${indent(pki.read("client-ca.cert.pem"))}\n`,
      ),
    );
    expect((await tlsGet(`${url}/-/healthy`, { ca: serverCa, clientCert: client("allowed") })).status).toBe(
      200,
    );
    await expect(tlsGet(`${url}/-/healthy`, { ca: serverCa })).rejects.toThrow();
  });

  it("headers on every answer: metrics, health, a refusal and an unknown path", async () => {
    const { url } = await serveWith(
      pki.write(
        "web.yml",
        `${TLS}http_server_config:\n  headers:\n    Strict-Transport-Security: max-age=31536000\n    X-Frame-Options: deny\n    X-Content-Type-Options: nosniff\n    X-XSS-Protection: ""\nbasic_auth_users:\n  ${USER}: ${hash}\n`,
      ),
    );
    const answers = [
      await tlsGet(`${url}/metrics`, { ca: serverCa, auth: { user: USER, password: PASSWORD } }),
      await tlsGet(`${url}/-/healthy`, { ca: serverCa }),
      await tlsGet(`${url}/metrics`, { ca: serverCa }),
      await tlsGet(`${url}/nothing`, { ca: serverCa }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 404]);
    for (const answer of answers) {
      expect(answer.headers["strict-transport-security"]).toBe("max-age=31536000");
      expect(answer.headers["x-frame-options"]).toBe("deny");
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      // Blank: unset.
      expect(answer.headers["x-xss-protection"]).toBeUndefined();
    }
  });

  it("rate_limit: a burst over the limit is answered 429, before the auth check", async () => {
    const { url } = await serveWith(
      pki.write(
        "web.yml",
        `${TLS}rate_limit:\n  interval: 1h\n  burst: 2\nbasic_auth_users:\n  ${USER}: ${hash}\n`,
      ),
    );
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await tlsGet(`${url}/metrics`, { ca: serverCa })).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
    // The right password does not get past the limit either.
    const limited = await tlsGet(`${url}/metrics`, {
      ca: serverCa,
      auth: { user: USER, password: PASSWORD },
    });
    expect(limited.status).toBe(429);
    expect(limited.body).toBe("Too Many Requests\n");
  });

  it("plain HTTP with headers and a rate limit (no TLS section)", async () => {
    const { url } = await serveWith(
      pki.write(
        "web.yml",
        "http_server_config:\n  headers:\n    Content-Security-Policy: default-src 'none'\nrate_limit:\n  interval: 1h\n  burst: 1\n",
      ),
    );
    expect(url).toMatch(/^http:\/\//);
    const first = await fetch(`${url}/`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect((await fetch(`${url}/`)).status).toBe(429);
    // The health checks are never rate limited.
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${url}/-/ready`)).status).not.toBe(429);
  });
});
