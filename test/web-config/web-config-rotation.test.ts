/**
 * The web config is read again when it (or a file it names) changes, as exporter-toolkit does: a
 * rotated password or certificate needs nothing at all, and a broken file leaves the running one.
 */
import { X509Certificate } from "node:crypto";
import { copyFileSync } from "node:fs";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPki, tlsGet, type Pki } from "../helpers/pki.js";
import { serveWith } from "../helpers/web-server.js";

const USER = "prometheus";
const OLD = "Old-Passw0rd-rotation";
const NEW = "New-Passw0rd-rotation";

let pki: Pki;
let ca = "";

beforeAll(() => {
  pki = createPki();
  pki.selfSigned("first");
  pki.selfSigned("second");
  // Both certificates are for 127.0.0.1 and self-signed: the client trusts either.
  ca = pki.read("first.cert.pem") + pki.read("second.cert.pem");
});

afterAll(() => pki.remove());

const useCertificate = (name: string): void => {
  copyFileSync(pki.path(`${name}.cert.pem`), pki.path("server.cert.pem"));
  copyFileSync(pki.path(`${name}.key.pem`), pki.path("server.key.pem"));
};

const TLS = "tls_server_config:\n  cert_file: server.cert.pem\n  key_file: server.key.pem\n";
const users = (password: string): string => `basic_auth_users:\n  ${USER}: ${bcrypt.hashSync(password, 4)}\n`;

describe("a changed web config takes effect without a restart", () => {
  it("a rotated password: the new one is let in, the old one no longer", async () => {
    useCertificate("first");
    const file = pki.write("web.yml", TLS + users(OLD));
    const { url, reloads } = await serveWith(file);
    const get = (password: string) =>
      tlsGet(`${url}/metrics`, { ca, auth: { user: USER, password } }).then((a) => a.status);
    expect(await get(OLD)).toBe(200);
    expect(await get(NEW)).toBe(401);

    pki.write("web.yml", TLS + users(NEW));
    expect(await get(NEW)).toBe(200);
    expect(await get(OLD)).toBe(401);
    expect(reloads).toEqual([{ ok: true, warnings: [] }]);
  });

  it("a rotated certificate is served on the next connection", async () => {
    useCertificate("first");
    const { url, reloads } = await serveWith(pki.write("web.yml", TLS));
    const fingerprint = async () => (await tlsGet(`${url}/-/healthy`, { ca })).fingerprint;
    const first = await fingerprint();

    useCertificate("second");
    const second = await fingerprint();
    expect(second).not.toBe(first);
    expect(second).toBe(new X509Certificate(pki.read("second.cert.pem")).fingerprint256);
    expect(reloads.at(-1)).toEqual({ ok: true, warnings: [] });
  });

  it("a broken file is refused: the running web config stays until the file is fixed", async () => {
    useCertificate("first");
    const file = pki.write("web.yml", TLS + users(OLD));
    const { url, reloads } = await serveWith(file);
    const get = (password: string) =>
      tlsGet(`${url}/metrics`, { ca, auth: { user: USER, password } }).then((a) => a.status);

    pki.write("web.yml", `${TLS}basic_auth_users:\n  ${USER}: ${NEW}\n`);
    expect(await get(OLD)).toBe(200);
    expect(await get(NEW)).toBe(401);
    expect(reloads).toHaveLength(1);
    expect(reloads[0]).toMatchObject({ ok: false });
    const message = (reloads[0] as { message: string }).message;
    expect(message).toContain(`basic_auth_users.${USER}: must be a bcrypt hash`);
    expect(message).not.toContain(NEW);
    // Refused once, not again on every request while the file stays as it is.
    expect(await get(OLD)).toBe(200);
    expect(reloads).toHaveLength(1);

    pki.write("web.yml", TLS + users(NEW));
    expect(await get(NEW)).toBe(200);
    expect(reloads.at(-1)).toEqual({ ok: true, warnings: [] });
  });

  it("a key that no longer matches the certificate is refused; the old pair is served", async () => {
    useCertificate("first");
    const { url, reloads } = await serveWith(pki.write("web.yml", TLS));
    const before = (await tlsGet(`${url}/-/healthy`, { ca })).fingerprint;
    copyFileSync(pki.path("second.key.pem"), pki.path("server.key.pem"));
    expect((await tlsGet(`${url}/-/healthy`, { ca })).fingerprint).toBe(before);
    expect(reloads.at(-1)).toMatchObject({ ok: false });
    expect((reloads.at(-1) as { message: string }).message).toContain("tls_server_config.key_file");
  });

  it("turning TLS off needs a restart and is refused", async () => {
    useCertificate("first");
    const file = pki.write("web.yml", TLS);
    const { url, web } = await serveWith(file);
    pki.write("web.yml", users(OLD));
    expect(() => web.reload()).toThrow(/turning TLS off needs a restart/);
    expect((await tlsGet(`${url}/metrics`, { ca })).status).toBe(200);
  });
});
