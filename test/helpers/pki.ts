/** Keys, certificates and HTTPS requests for the TLS and web-config tests; everything lives in one temporary directory. */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request, type RequestOptions } from "node:https";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pki {
  readonly dir: string;
  /** Absolute path of a file in the directory. */
  path(name: string): string;
  read(name: string): string;
  write(name: string, text: string): string;
  /**
   * Self-signed certificate for 127.0.0.1 with an unencrypted PKCS#8 key: `<name>.cert.pem`, `<name>.key.pem`;
   * `ca` makes it a CA that can sign client certificates; `san` replaces its subject alternative names.
   */
  selfSigned(
    name: string,
    ca?: boolean,
    san?: string,
  ): { certFile: string; keyFile: string; certPem: string; keyPem: string };
  /** The key re-written encrypted (AES-256) with `password`, as PKCS#8 or as traditional PKCS#1. */
  encryptKey(keyFile: string, out: string, password: string, format: "pkcs8" | "pkcs1"): string;
  /** The key re-written unencrypted as traditional PKCS#1 (`BEGIN RSA PRIVATE KEY`). */
  pkcs1Key(keyFile: string, out: string): string;
  /** A client certificate signed by the CA `ca` (made with selfSigned), with these subject alternative names. */
  signedBy(ca: string, name: string, san?: string): { certFile: string; keyFile: string };
  remove(): void;
}

const openssl = (args: string[]): void => {
  execFileSync("openssl", args, { stdio: "ignore" });
};

export const createPki = (): Pki => {
  const dir = mkdtempSync(join(tmpdir(), "exporter-security-"));
  const path = (name: string): string => join(dir, name);
  const pki: Pki = {
    dir,
    path,
    read: (name) => readFileSync(path(name), "utf8"),
    write: (name, text) => {
      writeFileSync(path(name), text);
      return path(name);
    },
    selfSigned: (name, ca = false, san = "IP:127.0.0.1") => {
      const certFile = path(`${name}.cert.pem`);
      const keyFile = path(`${name}.key.pem`);
      openssl([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "1",
        "-subj",
        `/CN=${name === "server" ? "127.0.0.1" : name}`,
        "-addext",
        `subjectAltName=${san}`,
        ...(ca
          ? ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]
          : []),
      ]);
      return {
        certFile,
        keyFile,
        certPem: readFileSync(certFile, "utf8"),
        keyPem: readFileSync(keyFile, "utf8"),
      };
    },
    encryptKey: (keyFile, out, password, format) => {
      const target = path(out);
      if (format === "pkcs8")
        openssl(["pkey", "-in", keyFile, "-aes256", "-passout", `pass:${password}`, "-out", target]);
      else
        openssl([
          "rsa",
          "-in",
          keyFile,
          "-traditional",
          "-aes256",
          "-passout",
          `pass:${password}`,
          "-out",
          target,
        ]);
      return target;
    },
    pkcs1Key: (keyFile, out) => {
      const target = path(out);
      openssl(["rsa", "-in", keyFile, "-traditional", "-out", target]);
      return target;
    },
    signedBy: (ca, name, san) => {
      const keyFile = path(`${name}.key.pem`);
      const extensions = path(`${name}.ext`);
      if (san !== undefined) writeFileSync(extensions, `subjectAltName=${san}\n`);
      const csr = path(`${name}.csr`);
      const certFile = path(`${name}.cert.pem`);
      openssl([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        csr,
        "-subj",
        `/CN=${name}`,
      ]);
      openssl([
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        path(`${ca}.cert.pem`),
        "-CAkey",
        path(`${ca}.key.pem`),
        "-set_serial",
        String(Date.now()),
        "-days",
        "1",
        ...(san === undefined ? [] : ["-extfile", extensions]),
        "-out",
        certFile,
      ]);
      return { certFile, keyFile };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return pki;
};

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface HttpsOptions {
  /** CA certificate (PEM) the server's certificate must chain to. */
  readonly ca: string;
  readonly auth?: { user: string; password: string };
  readonly headers?: Record<string, string>;
  /** Client certificate and key (PEM) for mutual TLS. */
  readonly clientCert?: { cert: string; key: string };
}

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

export interface TlsAnswer extends HttpsAnswer {
  /** OpenSSL name of the negotiated cipher, and the protocol (TLSv1.2, TLSv1.3). */
  readonly cipher: string;
  readonly protocol: string;
  /** The key exchange group (P-256, X25519, ...). */
  readonly group: string | undefined;
  /** SHA-256 fingerprint of the server's certificate. */
  readonly fingerprint: string;
}

/**
 * One GET over a fresh TLS connection with the client's own TLS options (versions, ciphers, curves),
 * telling what was negotiated. Rejects when the handshake or the connection fails.
 */
export const tlsGet = (
  url: string,
  options: HttpsOptions & { readonly tls?: RequestOptions; readonly method?: string },
): Promise<TlsAnswer> =>
  new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        agent: false,
        ca: options.ca,
        ...(options.clientCert ? { cert: options.clientCert.cert, key: options.clientCert.key } : {}),
        ...options.tls,
        headers: {
          ...(options.auth ? { Authorization: basic(options.auth.user, options.auth.password) } : {}),
          ...options.headers,
        },
        timeout: 10_000,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const details = {
          cipher: socket.getCipher().name,
          protocol: socket.getProtocol() ?? "",
          group: (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name,
          fingerprint: socket.getPeerCertificate().fingerprint256,
        };
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ...details,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });

/** One GET over HTTPS with a fresh connection (no agent), so that no socket outlives the test. */
export const httpsGet = async (url: string, options: HttpsOptions): Promise<HttpsAnswer> => {
  const { status, headers, body } = await tlsGet(url, options);
  return { status, headers, body };
};

/**
 * A self-signed server certificate under the names exporter-toolkit's test data gives it
 * (`server.crt`, `server.key`); returns its PEM.
 */
export const toolkitServer = (pki: Pki): string => {
  const server = pki.selfSigned("server");
  copyFileSync(server.certFile, pki.path("server.crt"));
  copyFileSync(server.keyFile, pki.path("server.key"));
  return server.certPem;
};
