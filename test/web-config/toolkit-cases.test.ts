/**
 * exporter-toolkit's own web config cases (its web/testdata files, the same text; certificates made
 * here under the same names), with the outcome its tests (web/tls_config_test.go) expect: loads or not,
 * and for those that load, the answer or handshake. Where this exporter deliberately differs,
 * docs/security.md says so.
 */
import { copyFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { loadWebConfig } from "../../src/web-config/web-config.js";
import { createPki, tlsGet, toolkitServer, type Pki } from "../helpers/pki.js";
import { serveWith } from "../helpers/web-server.js";

/** The toolkit's files, as they are in its web/testdata. */
const FILES: Record<string, string> = {
  "web_config_noAuth.good.yml":
    'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\n  client_auth_type: "VerifyClientCertIfGiven"\n',
  "web_config_users.good.yml":
    'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\nbasic_auth_users:\n  alice: $2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby\n  bob: $2y$18$4VeFDzXIoPHKnKTU3O3GH.N.vZu06CVqczYZ8WvfzrddFU6tGqjR.\n  carol: $2y$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu\n  dave: $2y$10$2UXri9cIDdgeKjBo4Rlpx.U3ZLDV8X1IxKmsfOvhcM5oXQt/mLmXq\n',
  "tls_config_noAuth.requireandverifyclientcert.good.yml":
    'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\n  client_auth_type: "RequireAndVerifyClientCert"\n  client_ca_file: "client_selfsigned.pem"\n',
  "web_config_rate_limiter_nonblocking.yaml": "rate_limit:\n  interval: 0\n  burst: 0\n",
  "web_config_rate_limiter_one_second.yaml": 'rate_limit:\n  interval: "1s"\n  burst: 0\n',
  "web_config_noAuth.bad.yml":
    'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\n  client_ca_file: "/dev/null"\n',
  "web_config_noAuth_certPath_empty.bad.yml":
    'tls_server_config:\n  cert_file: ""\n  key_file: "server.key"\n',
  "web_config_noAuth_inventedCiphers.bad.yml":
    'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\n  client_auth_type: "VerifyClientCertIfGiven"\n  cipher_suites:\n  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA2048\n',
  "web_config_noAuth_wrongTLSVersion.bad.yml":
    'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\n  client_auth_type: "VerifyClientCertIfGiven"\n  min_version: TLS111\n',
  "web_config_headers_extra_header.bad.yml": "http_server_config:\n  headers:\n    Content-Type: foo\n",
  "web_config_headers_frame_options.bad.yml": "http_server_config:\n  headers:\n    X-Frame-Options: foo\n",
};

let pki: Pki;
let ca = "";

beforeAll(() => {
  pki = createPki();
  ca = toolkitServer(pki);
  const client = pki.selfSigned("client", true);
  copyFileSync(client.certFile, pki.path("client_selfsigned.pem"));
  for (const [name, text] of Object.entries(FILES)) pki.write(name, text);
});

afterAll(() => pki.remove());

describe("exporter-toolkit's web/testdata, same outcome", () => {
  it.each([
    ["web_config_noAuth.good.yml", "client_auth_type"],
    ["web_config_users.good.yml", "cost 18"],
  ])("%s loads (with a warning naming %s)", async (name, warned) => {
    const web = await loadWebConfig(pki.path(name));
    expect(web.tls).toBe(true);
    expect(web.warnings.join("\n")).toContain(warned);
  });

  it("web_config_noAuth.good.yml: a TLS client without a certificate is served", async () => {
    const { url } = await serveWith(pki.path("web_config_noAuth.good.yml"));
    expect((await tlsGet(`${url}/-/healthy`, { ca })).status).toBe(200);
  });

  it("web_config_users.good.yml: a wrong password is Unauthorized", async () => {
    const { url } = await serveWith(pki.path("web_config_users.good.yml"));
    const answer = await tlsGet(`${url}/`, { ca, auth: { user: "carol", password: "wrong" } });
    expect(answer.status).toBe(401);
  });

  it("tls_config_noAuth.requireandverifyclientcert.good.yml: loads; a client without a certificate fails the handshake", async () => {
    const { url } = await serveWith(pki.path("tls_config_noAuth.requireandverifyclientcert.good.yml"));
    await expect(tlsGet(`${url}/-/healthy`, { ca })).rejects.toThrow();
  });

  it("web_config_rate_limiter_nonblocking.yaml (interval 0): loads, nothing limited", async () => {
    const { url } = await serveWith(pki.path("web_config_rate_limiter_nonblocking.yaml"));
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/`)).status).toBe(200);
  });

  it("web_config_rate_limiter_one_second.yaml (burst 0): loads, Too Many Requests", async () => {
    const { url } = await serveWith(pki.path("web_config_rate_limiter_one_second.yaml"));
    const answer = await fetch(`${url}/`);
    expect(answer.status).toBe(429);
    expect(await answer.text()).toContain("Too Many Requests");
  });

  it.each([
    ["web_config_noAuth.bad.yml", "client_ca_file"],
    ["web_config_noAuth_certPath_empty.bad.yml", "cert_file"],
    ["web_config_noAuth_inventedCiphers.bad.yml", "cipher_suites"],
    ["web_config_noAuth_wrongTLSVersion.bad.yml", "min_version"],
    ["web_config_headers_extra_header.bad.yml", "Content-Type"],
    ["web_config_headers_frame_options.bad.yml", "X-Frame-Options"],
  ])("%s is refused, naming %s", async (name, key) => {
    const error = await loadWebConfig(pki.path(name)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(key);
  });
});
