/**
 * One request to the exporter's own /-/healthy, the way a client on the same host reaches it: the
 * listen address (a wildcard becomes loopback), HTTPS when the web config has TLS. Used by the
 * container's health check, which must follow whatever address and TLS settings the exporter runs with.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ListenAddress } from "../config/config.js";
import type { TlsSettings } from "../web-config/file.js";

export interface ProbeResult {
  readonly ok: boolean;
  /** One line: the URL asked and what came back. */
  readonly detail: string;
}

/** Only where a certificate is required: one offered where it is optional must also verify. */
const CERT_REQUIRED: ReadonlySet<string> = new Set(["RequireAnyClientCert", "RequireAndVerifyClientCert"]);

const WILDCARDS: ReadonlySet<string> = new Set(["", "0.0.0.0", "::", "[::]"]);

/** The host a local client dials for a listen address: a wildcard (or none) is answered on loopback. */
export const probeHost = (address: ListenAddress): string =>
  address.host === undefined || WILDCARDS.has(address.host) ? "127.0.0.1" : address.host;

export const probeUrl = (address: ListenAddress, tls: boolean): string => {
  const host = probeHost(address);
  return `${tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${address.port}/-/healthy`;
};

/**
 * GET /-/healthy on `address`. With TLS the server's certificate is not verified: the check asks its
 * own process over loopback, and the certificate's names rarely include 127.0.0.1. Where the web config
 * requires a client certificate, the server's own certificate and key are offered (enough for
 * RequireAnyClientCert, and for RequireAndVerifyClientCert when one CA signed both).
 * Never throws: a refused connection, a timeout or a status other than 200 is `ok: false`.
 */
export const probeHealth = (
  address: ListenAddress,
  tls: TlsSettings | null,
  timeoutMs: number,
): Promise<ProbeResult> => {
  const url = probeUrl(address, tls !== null);
  return new Promise((resolve) => {
    const done = (ok: boolean, outcome: string): void => resolve({ ok, detail: `${url}: ${outcome}` });
    const onResponse = (response: IncomingMessage): void => {
      response.resume();
      const status = response.statusCode ?? 0;
      // 429: a web config rate limit refused the probe, which is the server answering all the same.
      done(status === 200 || status === 429, `HTTP ${status}`);
    };
    const options = {
      method: "GET",
      timeout: timeoutMs,
      headers: { "user-agent": "avepoint-exporter-healthcheck" },
    };
    const req =
      tls === null
        ? httpRequest(url, options, onResponse)
        : httpsRequest(
            url,
            {
              ...options,
              rejectUnauthorized: false,
              ...(CERT_REQUIRED.has(tls.clientAuth) ? { cert: tls.cert, key: tls.key } : {}),
            },
            onResponse,
          );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => done(false, err.code ?? err.message));
    req.end();
  });
};
