/**
 * What a request that got no answer ran into, from the error code Node.js gives: the name lookup,
 * the connection, or TLS. The message names the host, so that a log line says where it failed.
 */
import type { FailureReason } from "../errors.js";

export interface NetworkFailure {
  readonly reason: Extract<FailureReason, "network" | "tls">;
  readonly message: string;
  /** Whether sending again may help: a certificate that failed verification fails again. */
  readonly retry: boolean;
}

const DNS = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA"]);
const UNREACHABLE = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EADDRNOTAVAIL"]);
const RESET = new Set(["ECONNRESET", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"]);

/** OpenSSL's certificate verification codes and Node.js' own TLS and SSL codes. */
const TLS =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|ERR_TLS_|ERR_SSL_|ERR_OSSL_|EPROTO$)/;

/** The host (and port, when not the scheme's) of a URL; the URL itself when it cannot be read. */
export const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return "the upstream";
  }
};

/** @param code the error's `code` (Node.js or OpenSSL), if it had one. */
export const networkFailure = (code: string | undefined, host: string): NetworkFailure => {
  const why = code === undefined ? "" : ` (${code})`;
  if (code !== undefined && TLS.test(code))
    return { reason: "tls", message: `TLS with ${host} failed${why}`, retry: false };
  if (code !== undefined && DNS.has(code))
    return { reason: "network", message: `DNS lookup of ${host} failed${why}`, retry: true };
  if (code === "ECONNREFUSED")
    return { reason: "network", message: `connection to ${host} refused${why}`, retry: true };
  if (code !== undefined && RESET.has(code))
    return { reason: "network", message: `connection to ${host} closed early${why}`, retry: true };
  if (code !== undefined && UNREACHABLE.has(code))
    return { reason: "network", message: `${host} unreachable${why}`, retry: true };
  return { reason: "network", message: `cannot reach ${host}${why || " (network error)"}`, retry: true };
};

/** The code of the error underneath, where axios left its own empty. */
export const causeCode = (err: unknown): string | undefined => {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === "string" ? cause.code : undefined;
};
