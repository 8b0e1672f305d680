/** loadWebConfig on its own: what a web config file may hold, and how each refusal is worded. */
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { basicAuthGuard, loadWebConfig } from "../../src/web-config/web-config.js";
import { basic, createPki, type Pki } from "../helpers/pki.js";

const USER = "prometheus";
const PASSWORD = "Basic-Auth-Passw0rd-load";

let pki: Pki;
let hash = "";

beforeAll(() => {
  pki = createPki();
  pki.selfSigned("server");
  pki.selfSigned("other");
  pki.write(
    "garbage.pem",
    "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
  );
  pki.write("text.pem", "just some text\n");
  hash = bcrypt.hashSync(PASSWORD, 4);
});

afterAll(() => pki.remove());

const load = async (text: string): Promise<string> => {
  try {
    await loadWebConfig(pki.write("web.yml", text));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("accepted");
};

const users = (value: string): string => `basic_auth_users:\n  ${USER}: "${value}"\n`;
const tls = (cert: string, key: string, extra = ""): string =>
  `tls_server_config:\n  cert_file: ${cert}\n  key_file: ${key}\n${extra}`;

describe("basic_auth_users", () => {
  it("accepts a bcrypt hash and checks passwords against it", async () => {
    const web = await loadWebConfig(pki.write("web.yml", users(hash)));
    expect(await web.guard?.(basic(USER, PASSWORD))).toBe(true);
    expect(await web.guard?.(basic(USER, "wrong"))).toBe(false);
  });

  it.each([
    ["a hash cut short", hash.slice(0, 40)],
    ["a hash with a character outside bcrypt's alphabet", `${hash.slice(0, -1)}!`],
    ["a hash one character too long", `${hash}A`],
    ["only the prefix", "$2b$10$"],
    ["an unknown revision", hash.replace(/^\$2b/, "$2x")],
    ["a plain-text password", PASSWORD],
  ])("refuses %s at load, instead of locking everybody out", async (_name, value) => {
    const message = await load(users(value));
    expect(message).toMatch(/^--web\.config\.file: .*basic_auth_users\.prometheus: must be a bcrypt hash/);
    expect(message).not.toContain(PASSWORD);
  });

  it.each([
    ["03", "below bcrypt's minimum"],
    ["32", "above bcrypt's maximum"],
  ])("refuses cost %s (%s)", async (cost, _why) => {
    const message = await load(users(hash.replace(/^\$2b\$04\$/, `$2b$${cost}$`)));
    expect(message).toContain("basic_auth_users.prometheus: bcrypt cost must be from 4 to 31");
  });

  it.each(["18", "31"])("loads cost %s with a warning, as exporter-toolkit loads it", async (cost) => {
    const web = await loadWebConfig(pki.write("web.yml", users(hash.replace(/^\$2b\$04\$/, `$2b$${cost}$`))));
    expect(web.warnings).toEqual([
      expect.stringContaining(`basic_auth_users.prometheus: bcrypt cost ${cost}`),
    ]);
  });

  it("the guard refuses wrong passwords for any accepted hash", async () => {
    const guard = basicAuthGuard({ [USER]: hash });
    expect(await guard(basic(USER, `${PASSWORD}x`))).toBe(false);
  });
});

describe("tls_server_config files", () => {
  it("accepts a certificate and its key", async () => {
    const web = await loadWebConfig(pki.write("web.yml", tls("server.cert.pem", "server.key.pem")));
    expect(web.tls).toBe(true);
  });

  it.each([
    ["a certificate that is not one", tls("garbage.pem", "server.key.pem"), "tls_server_config.cert_file"],
    ["a certificate file of plain text", tls("text.pem", "server.key.pem"), "tls_server_config.cert_file"],
    [
      "a key file that is a certificate",
      tls("server.cert.pem", "server.cert.pem"),
      "tls_server_config.key_file",
    ],
    ["a key file of plain text", tls("server.cert.pem", "text.pem"), "tls_server_config.key_file"],
    ["a key of another certificate", tls("server.cert.pem", "other.key.pem"), "tls_server_config.key_file"],
    [
      "a client CA that is not a certificate",
      tls("server.cert.pem", "server.key.pem", "  client_ca_file: garbage.pem\n"),
      "tls_server_config.client_ca_file",
    ],
  ])("refuses %s, naming the key in the web config", async (_name, text, key) => {
    const message = await load(text);
    expect(message).toMatch(/^--web\.config\.file: /);
    expect(message).toContain(`${key}: `);
    expect(message).not.toContain("--avepoint");
    expect(message).not.toContain("\n");
  });
});
