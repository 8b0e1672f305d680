/**
 * The rest of exporter-toolkit's web/testdata cases (toolkit-cases.test.ts has the first ones): the same
 * file text, certificates made here under the same names, and the outcome its tests
 * (web/tls_config_test.go, web/handler_test.go) expect: loads or not, and for those that load, the
 * handshake (versions, cipher suites, curves, client certificates) or the answer (users, headers).
 * Where this exporter deliberately differs, docs/security.md says so and why.
 */
import { copyFileSync, readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { groupSupported } from "../../src/web-config/tls-names.js";
import { loadWebConfig } from "../../src/web-config/web-config.js";
import { basic, createPki, tlsGet, toolkitServer, type Pki } from "../helpers/pki.js";
import { serveWith } from "../helpers/web-server.js";

const TLS = 'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\n';
const IF_GIVEN = '  client_auth_type: "VerifyClientCertIfGiven"\n';

/** The toolkit's files, as they are in its web/testdata (tlsInline: built below from this test's certificate). */
const FILES: Record<string, string> = {
  "web_config_noAuth.good.yml": `${TLS}${IF_GIVEN}`,
  "web_config_empty.yml": "",
  // Not in the stored copy of the toolkit: a YAML document of the wrong structure, as its name says.
  "web_config_junk.yml": "---\n- tls_server_config\n- cert_file: server.crt\n",
  "web_config_junk_key.yml": 'tls_server_config:\n  cert_filse: "server.crt"\n',
  "web_config_noAuth.good.blocking.yml": `${TLS}  client_auth_type: "RequireAndVerifyClientCert"\n`,
  "web_config_noAuth_allCiphers.good.yml": `${TLS}${IF_GIVEN}  cipher_suites:\n${[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
  ]
    .map((suite) => `  - ${suite}\n`)
    .join("")}`,
  "web_config_noAuth_someCiphers.good.yml": `${TLS}${IF_GIVEN}  cipher_suites:\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n  min_version: TLS12\n  max_version: TLS12\n`,
  "web_config_noAuth_someCiphers_noOrder.good.yml":
    'tls_server_config :\n  cert_file : "server.crt"\n  key_file : "server.key"\n  client_auth_type : "VerifyClientCertIfGiven"\n  cipher_suites:\n  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  prefer_server_cipher_suites: false\n  min_version: TLS12\n  max_version: TLS12\n',
  "web_config_noAuth_allCurves.good.yml": `${TLS}${IF_GIVEN}  curve_preferences:\n    - CurveP256\n    - CurveP384\n    - CurveP521\n    - X25519\n    - X25519MLKEM768\n`,
  "web_config_noAuth_someCurves.good.yml": `${TLS}${IF_GIVEN}  min_version: TLS13\n  curve_preferences:\n  - CurveP521\n`,
  "web_config_noAuth_inventedCurves.bad.yml": `${TLS}${IF_GIVEN}  curve_preferences:\n    - CurveP257\n`,
  "web_config_noAuth_noHTTP2.good.yml": `${TLS}${IF_GIVEN}  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n  max_version: TLS12\nhttp_server_config:\n  http2: false\n`,
  "web_config_noAuth_noHTTP2Cipher.bad.yml": `${TLS}${IF_GIVEN}  cipher_suites:\n    - TLS_RSA_WITH_AES_128_CBC_SHA\n  max_version: TLS12\n`,
  "web_config_headers.good.yml":
    "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000; includeSubDomains\n    X-Content-Type-Options: nosniff\n    X-XSS-Protection: 1\n    Content-Security-Policy: \"default-src 'self' *.test.example.net\"\n",
  "web_config_rate_limiter_headers.yaml":
    "rate_limit:\n  interval: 1h\n  burst: 1\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000; includeSubDomains\n",
  "web_config_headers_content_type_options.bad.yml":
    "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n",
  "web_config_users_noTLS.good.yml":
    "basic_auth_users:\n  alice: $2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby\n  bob: $2y$14$y7HJ017Lo/wKPDdzdHahNevjaqE.WRk3iKVLLt1yKO7RtIrNbvy6.\n  carol: $2y$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu\n  dave: $2y$10$2UXri9cIDdgeKjBo4Rlpx.U3ZLDV8X1IxKmsfOvhcM5oXQt/mLmXq\n",
  "web_config_users.good.yml":
    'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\nbasic_auth_users:\n  alice: $2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby\n  bob: $2y$18$4VeFDzXIoPHKnKTU3O3GH.N.vZu06CVqczYZ8WvfzrddFU6tGqjR.\n  carol: $2y$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu\n  dave: $2y$10$2UXri9cIDdgeKjBo4Rlpx.U3ZLDV8X1IxKmsfOvhcM5oXQt/mLmXq\n',
  "tls_config_noAuth.requireandverifyclientcert.good.yml": `${TLS}  client_auth_type: "RequireAndVerifyClientCert"\n  client_ca_file: "client_selfsigned.pem"\n`,
  "tls_config_noAuth.requireanyclientcert.good.yml": `${TLS}  client_auth_type: "RequireAnyClientCert"\n  client_ca_file: "tls-ca-chain.pem"\n`,
  "web_config_auth_client_san.good.yaml": `${TLS}  client_auth_type: "RequireAndVerifyClientCert"\n  client_ca_file: "client2_selfsigned.pem"\n  client_allowed_sans:\n    - "one"\n    - "test3"\n    - "two"\n`,
  "web_config_auth_client_san.bad.yaml": `${TLS}  client_auth_type: "RequireAndVerifyClientCert"\n  client_ca_file: "client2_selfsigned.pem"\n  client_allowed_sans:\n    - "bad"\n`,
  "web_config_auth_clientCAs_invalid.bad.yml": `${TLS}  client_ca_file: "somefile"\n`,
  "web_config_auth_user_list_invalid.bad.yml": `${TLS}basic_auth_users:\n  john: doe\n`,
  "web_config_noAuth_certPath_invalid.bad.yml":
    'tls_server_config:\n  cert_file: "somefile"\n  key_file: "server.key"\n',
  "web_config_noAuth_certPath_keyPath_empty.bad.yml":
    'tls_server_config:\n  cert_file: ""\n  key_file: ""\n  client_auth_type: "x"\n',
  "web_config_noAuth_certPath_keyPath_invalid.bad.yml":
    'tls_server_config:\n  cert_file: "somefile"\n  key_file: "somefile"\n',
  "web_config_noAuth_cert_empty.bad.yml": 'tls_server_config:\n  cert: ""\n  key_file: "server.key"\n',
  "web_config_noAuth_keyPath_empty.bad.yml":
    'tls_server_config:\n  cert_file: "server.crt"\n  key_file: ""\n',
  "web_config_noAuth_keyPath_invalid.bad.yml":
    'tls_server_config:\n  cert_file: "server.cert"\n  key_file: "somefile"\n',
  "web_config_noAuth_key_empty.bad.yml": 'tls_server_config:\n  cert_file: "server.crt"\n  key: ""\n',
};

/** A curve the client offers → the name Node reports for the group negotiated. */
const GROUP_NAMES: Record<string, string> = {
  "P-256": "prime256v1",
  "P-384": "secp384r1",
  "P-521": "secp521r1",
  X25519: "X25519",
};

let pki: Pki;
/** The server's certificate, trusted by the clients (the toolkit's tests trust its tls-ca-chain.pem). */
let ca = "";
let serverCert = "";
let client: { cert: string; key: string };
let client2: { cert: string; key: string };

const indent = (pem: string): string =>
  pem
    .trim()
    .split("\n")
    .map((line) => `    ${line}\n`)
    .join("");

beforeAll(() => {
  pki = createPki();
  ca = toolkitServer(pki);
  serverCert = ca;
  // Self-signed, used as their own CA (as the toolkit's are): CA:TRUE, no key usage to forbid signing.
  const one = pki.selfSigned("client_selfsigned");
  copyFileSync(one.certFile, pki.path("client_selfsigned.pem"));
  copyFileSync(one.keyFile, pki.path("client_selfsigned.key"));
  client = { cert: one.certPem, key: one.keyPem };
  // The toolkit's client2_selfsigned carries the DNS name test3.
  const two = pki.selfSigned("client2_selfsigned", false, "DNS:test3");
  copyFileSync(two.certFile, pki.path("client2_selfsigned.pem"));
  copyFileSync(two.keyFile, pki.path("client2_selfsigned.key"));
  client2 = { cert: two.certPem, key: two.keyPem };
  const chain = pki.selfSigned("tls-ca-chain", true);
  copyFileSync(chain.certFile, pki.path("tls-ca-chain.pem"));
  for (const [name, text] of Object.entries(FILES)) pki.write(name, text);
  // Certificate and key inline, in the toolkit's layout (block scalars), from this test's certificate.
  pki.write(
    "web_config_noAuth_tlsInline.good.yml",
    `tls_server_config:\n  cert: |\n${indent(serverCert)}  key: |\n${indent(readFileSync(pki.path("server.key"), "utf8"))}  client_auth_type: "VerifyClientCertIfGiven"`,
  );
});

afterAll(() => pki.remove());

const refusal = (name: string): Promise<unknown> =>
  loadWebConfig(pki.path(name)).then(
    () => null,
    (err: unknown) => err,
  );

/** What a request ends with: its status, or "failed" when the connection or handshake failed. */
const outcome = (answer: Promise<{ status: number }>): Promise<number | "failed"> =>
  answer.then(
    (a) => a.status,
    () => "failed" as const,
  );

describe("exporter-toolkit's web/testdata: files it refuses are refused here, naming the key", () => {
  it.each([
    ["web_config_junk.yml", "(root)"],
    ["web_config_junk_key.yml", "cert_filse"],
    ["web_config_noAuth_inventedCurves.bad.yml", "CurveP257"],
    ["web_config_headers_content_type_options.bad.yml", "X-Content-Type-Options"],
    ["web_config_auth_clientCAs_invalid.bad.yml", "client_ca_file: cannot read somefile"],
    ["web_config_auth_user_list_invalid.bad.yml", "basic_auth_users.john"],
    ["web_config_noAuth_certPath_invalid.bad.yml", "cert_file: cannot read somefile"],
    ["web_config_noAuth_certPath_keyPath_empty.bad.yml", "tls_server_config.cert_file"],
    ["web_config_noAuth_certPath_keyPath_invalid.bad.yml", "cert_file: cannot read somefile"],
    ["web_config_noAuth_cert_empty.bad.yml", "tls_server_config.cert:"],
    ["web_config_noAuth_keyPath_empty.bad.yml", "tls_server_config.key_file"],
    ["web_config_noAuth_keyPath_invalid.bad.yml", "cert_file: cannot read server.cert"],
    ["web_config_noAuth_key_empty.bad.yml", "tls_server_config.key:"],
  ])("%s is refused: %s", async (name, named) => {
    const error = await refusal(name);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(named);
    expect((error as Error).message).toContain(name);
  });
});

describe("exporter-toolkit's TestYAMLFiles: a path to no file", () => {
  it("somefile is refused: cannot read", async () => {
    const error = await refusal("somefile");
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/cannot read .*somefile \(ENOENT\)/);
  });
});

describe("exporter-toolkit's web/testdata: files it loads, and the handshake its tests expect", () => {
  it("web_config_empty.yml: loads, plain HTTP; a TLS client gets no TLS answer", async () => {
    const { url, web } = await serveWith(pki.path("web_config_empty.yml"));
    expect(web.tls).toBe(false);
    expect((await fetch(`${url}/`)).status).toBe(200);
    expect(await outcome(tlsGet(url.replace("http://", "https://") + "/", { ca }))).toBe("failed");
  });

  it("web_config_noAuth.good.yml: a plain HTTP client gets no answer; a TLS 1.1 client fails the handshake", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth.good.yml"));
    // The toolkit answers 400; Node's TLS server closes the connection (docs/security.md).
    const plain = await fetch(url.replace("https://", "http://") + "/").then(
      (a) => a.status,
      (err: Error & { cause?: { code?: string } }) => err.cause?.code,
    );
    expect(plain).toBe("UND_ERR_SOCKET");
    const tls11 = {
      minVersion: "TLSv1",
      maxVersion: "TLSv1.1",
      ciphers: "DEFAULT@SECLEVEL=0",
    } as const;
    expect(await outcome(tlsGet(`${url}/`, { ca, tls: tls11 }))).toBe("failed");
    expect((await tlsGet(`${url}/`, { ca })).protocol).toBe("TLSv1.3");
  });

  it("web_config_noAuth_tlsInline.good.yml: serves the certificate given inline", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth_tlsInline.good.yml"));
    const answer = await tlsGet(`${url}/`, { ca });
    expect(answer.status).toBe(200);
    expect(answer.fingerprint).toBe(new X509Certificate(serverCert).fingerprint256);
  });

  it("web_config_noAuth_allCiphers.good.yml: loads; a TLS 1.2 client with an RSA suite of the list is served", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth_allCiphers.good.yml"));
    expect((await tlsGet(`${url}/`, { ca })).status).toBe(200);
    const answer = await tlsGet(`${url}/`, {
      ca,
      tls: { maxVersion: "TLSv1.2", ciphers: "AES256-GCM-SHA384" },
    });
    expect([answer.status, answer.protocol, answer.cipher]).toEqual([200, "TLSv1.2", "AES256-GCM-SHA384"]);
  });

  it("web_config_noAuth_someCiphers.good.yml: a listed suite is served, another fails, the server's order wins", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth_someCiphers.good.yml"));
    const one = await tlsGet(`${url}/`, { ca, tls: { ciphers: "ECDHE-RSA-AES128-GCM-SHA256" } });
    expect([one.status, one.protocol, one.cipher]).toEqual([200, "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"]);
    expect(await outcome(tlsGet(`${url}/`, { ca, tls: { ciphers: "ECDHE-RSA-AES256-SHA" } }))).toBe("failed");
    // The client prefers AES-256, the file lists AES-128 first: the server's order is kept.
    const both = await tlsGet(`${url}/`, {
      ca,
      tls: { ciphers: "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256" },
    });
    expect(both.cipher).toBe("ECDHE-RSA-AES128-GCM-SHA256");
  });

  it("web_config_noAuth_someCiphers_noOrder.good.yml: prefer_server_cipher_suites false, the client chooses", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth_someCiphers_noOrder.good.yml"));
    // The file lists AES-256 first; the client prefers AES-128 and gets it.
    const answer = await tlsGet(`${url}/`, {
      ca,
      tls: { ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384" },
    });
    expect([answer.status, answer.cipher]).toEqual([200, "ECDHE-RSA-AES128-GCM-SHA256"]);
  });

  it("web_config_noAuth_allCurves.good.yml: loads, each curve served (X25519MLKEM768 where OpenSSL has it)", async () => {
    const { url, web } = await serveWith(pki.path("web_config_noAuth_allCurves.good.yml"));
    for (const [curve, reported] of Object.entries(GROUP_NAMES)) {
      const answer = await tlsGet(`${url}/`, { ca, tls: { ecdhCurve: curve } });
      expect([answer.status, answer.group]).toEqual([200, reported]);
    }
    const lacking = web.warnings.filter((line) => line.includes("X25519MLKEM768 left out"));
    expect(lacking).toHaveLength(groupSupported("X25519MLKEM768") ? 0 : 1);
  });

  it("curve_preferences with only a curve this OpenSSL lacks is refused, naming it", async () => {
    pki.write("only-mlkem.yml", `${TLS}  curve_preferences:\n    - X25519MLKEM768\n`);
    const outcomeOf = await refusal("only-mlkem.yml");
    if (groupSupported("X25519MLKEM768")) expect(outcomeOf).toBeNull();
    else {
      expect(outcomeOf).toBeInstanceOf(ConfigError);
      expect((outcomeOf as Error).message).toContain(
        "tls_server_config.curve_preferences: X25519MLKEM768 not offered by this Node's OpenSSL",
      );
    }
  });

  it("web_config_noAuth_someCurves.good.yml: a P-521 client is served, a P-384 one fails the handshake", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth_someCurves.good.yml"));
    const answer = await tlsGet(`${url}/`, { ca, tls: { ecdhCurve: "P-521" } });
    expect([answer.status, answer.protocol, answer.group]).toEqual([200, "TLSv1.3", GROUP_NAMES["P-521"]]);
    expect(await outcome(tlsGet(`${url}/`, { ca, tls: { ecdhCurve: "P-384" } }))).toBe("failed");
  });

  it("web_config_noAuth_noHTTP2.good.yml: loads (http2: false), TLS 1.2 with the one suite listed", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth_noHTTP2.good.yml"));
    const answer = await tlsGet(`${url}/`, { ca });
    expect([answer.status, answer.protocol, answer.cipher]).toEqual([
      200,
      "TLSv1.2",
      "ECDHE-RSA-AES256-GCM-SHA384",
    ]);
  });

  it("web_config_noAuth_noHTTP2Cipher.bad.yml: loads here (no HTTP/2, so no HTTP/2 suite needed), serving that suite", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth_noHTTP2Cipher.bad.yml"));
    const answer = await tlsGet(`${url}/`, { ca });
    expect([answer.status, answer.protocol, answer.cipher]).toEqual([200, "TLSv1.2", "AES128-SHA"]);
  });

  it("web_config_noAuth.good.blocking.yml: loads; a client without a certificate fails the handshake", async () => {
    const web = await loadWebConfig(pki.path("web_config_noAuth.good.blocking.yml"));
    expect(web.warnings.join("\n")).toContain("RequireAndVerifyClientCert");
    const { url } = await serveWith(pki.path("web_config_noAuth.good.blocking.yml"));
    expect(await outcome(tlsGet(`${url}/`, { ca }))).toBe("failed");
    // Verified against the system's roots: a self-signed client certificate is not enough.
    expect(await outcome(tlsGet(`${url}/`, { ca, clientCert: client }))).toBe("failed");
  });

  it("TestConfigReloading: web_config_noAuth.good.blocking.yml rewritten as web_config_noAuth.good.yml, a client without a certificate is then served", async () => {
    const file = pki.write("reloading.yml", FILES["web_config_noAuth.good.blocking.yml"]!);
    const { url, web, reloads } = await serveWith(file);
    expect(await outcome(tlsGet(`${url}/`, { ca }))).toBe("failed");
    pki.write("reloading.yml", FILES["web_config_noAuth.good.yml"]!);
    web.reload();
    expect(reloads.at(-1)?.ok).toBe(true);
    expect((await tlsGet(`${url}/`, { ca })).status).toBe(200);
  });

  it("tls_config_noAuth.requireandverifyclientcert.good.yml: the CA's own client certificate is served", async () => {
    const { url } = await serveWith(pki.path("tls_config_noAuth.requireandverifyclientcert.good.yml"));
    expect((await tlsGet(`${url}/`, { ca, clientCert: client })).status).toBe(200);
    expect(await outcome(tlsGet(`${url}/`, { ca, clientCert: client2 }))).toBe("failed");
  });

  it("tls_config_noAuth.requireanyclientcert.good.yml: any certificate is served (not verified), none fails", async () => {
    const { url } = await serveWith(pki.path("tls_config_noAuth.requireanyclientcert.good.yml"));
    // client_selfsigned is not signed by tls-ca-chain.pem: RequireAnyClientCert does not verify.
    expect((await tlsGet(`${url}/`, { ca, clientCert: client })).status).toBe(200);
    expect(await outcome(tlsGet(`${url}/`, { ca }))).toBe("failed");
  });

  it("web_config_auth_client_san.good.yaml: a certificate with an allowed SAN (test3) is served", async () => {
    const { url } = await serveWith(pki.path("web_config_auth_client_san.good.yaml"));
    expect((await tlsGet(`${url}/`, { ca, clientCert: client2 })).status).toBe(200);
  });

  it("web_config_auth_client_san.bad.yaml: loads; the same certificate, its SAN not allowed, gets no answer", async () => {
    const { url } = await serveWith(pki.path("web_config_auth_client_san.bad.yaml"));
    expect(await outcome(tlsGet(`${url}/`, { ca, clientCert: client2 }))).toBe("failed");
  });

  it("web_config_headers.good.yml: every answer carries the configured headers", async () => {
    const { url } = await serveWith(pki.path("web_config_headers.good.yml"));
    const answer = await fetch(`${url}/`);
    expect(answer.status).toBe(200);
    expect({
      sts: answer.headers.get("strict-transport-security"),
      frame: answer.headers.get("x-frame-options"),
      type: answer.headers.get("x-content-type-options"),
      xss: answer.headers.get("x-xss-protection"),
      csp: answer.headers.get("content-security-policy"),
    }).toEqual({
      sts: "max-age=31536000; includeSubDomains",
      frame: "deny",
      type: "nosniff",
      xss: "1",
      csp: "default-src 'self' *.test.example.net",
    });
  });

  it("web_config_rate_limiter_headers.yaml: the second request is Too Many Requests, with the same headers", async () => {
    const { url } = await serveWith(pki.path("web_config_rate_limiter_headers.yaml"));
    const served = await fetch(`${url}/`);
    const limited = await fetch(`${url}/`);
    expect([served.status, limited.status]).toEqual([200, 429]);
    for (const header of ["x-frame-options", "strict-transport-security"]) {
      expect(served.headers.get(header)).toBeTruthy();
      expect(limited.headers.get(header)).toBe(served.headers.get(header));
    }
  });
});

describe("exporter-toolkit's web/testdata: basic auth users (TestUsers, handler_test.go)", () => {
  const get = (url: string, authorization?: string): Promise<number> =>
    fetch(`${url}/`, { headers: authorization ? { Authorization: authorization } : {} }).then(
      (a) => a.status,
    );

  it("web_config_users_noTLS.good.yml: none or wrong is Unauthorized, dave/dave123 and alice/alice123 pass", async () => {
    const { url } = await serveWith(pki.path("web_config_users_noTLS.good.yml"));
    expect(await get(url)).toBe(401);
    expect(await get(url, basic("dave", "dave123"))).toBe(200);
    expect(await get(url, basic("alice", "alice123"))).toBe(200);
    expect(await get(url, basic("alice", "alice1234"))).toBe(401);
    // TestBasicAuthWithFakepassword: cold, then cached.
    expect(await get(url, basic("fakeuser", "fakepassword"))).toBe(401);
    expect(await get(url, basic("fakeuser", "fakepassword"))).toBe(401);
    // TestByPassBasicAuthVuln (CVE-2022-46146): a user name carrying a hash, then a password that does.
    expect(
      await get(
        url,
        basic("alice$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby", "fakepassword"),
      ),
    ).toBe(401);
    expect(
      await get(
        url,
        basic("alice", "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSifakepassword"),
      ),
    ).toBe(401);
  });

  it("web_config_users_noTLS.good.yml: 150 right and 150 wrong at once (TestBasicAuthCache)", async () => {
    const { url } = await serveWith(pki.path("web_config_users_noTLS.good.yml"));
    expect(await get(url, basic("alice", "alice123"))).toBe(200);
    expect(await get(url, basic("alice", "alice1234"))).toBe(401);
    const answers = await Promise.all(
      Array.from({ length: 150 }, () => [
        get(url, basic("alice", "alice123")),
        get(url, basic("alice", "alice1234")),
      ]).flat(),
    );
    expect(answers.filter((status) => status === 200)).toHaveLength(150);
    expect(answers.filter((status) => status === 401)).toHaveLength(150);
  });

  it("web_config_users.good.yml: over TLS, dave and carol pass, no credentials is Unauthorized", async () => {
    const { url } = await serveWith(pki.path("web_config_users.good.yml"));
    expect((await tlsGet(`${url}/`, { ca })).status).toBe(401);
    expect((await tlsGet(`${url}/`, { ca, auth: { user: "dave", password: "dave123" } })).status).toBe(200);
    expect((await tlsGet(`${url}/`, { ca, auth: { user: "carol", password: "carol123" } })).status).toBe(200);
    expect((await tlsGet(`${url}/`, { ca, auth: { user: "dave", password: "bad" } })).status).toBe(401);
  });
});
