/**
 * Go's names for TLS versions, cipher suites and curves (as exporter-toolkit's web config uses them)
 * and what OpenSSL, under Node, calls the same things.
 */
import { createSecureContext } from "node:tls";

export const TLS_VERSIONS = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
} as const;
export type GoTlsVersion = keyof typeof TLS_VERSIONS;

/**
 * Every suite of Go's `tls.CipherSuites()` (the ones exporter-toolkit accepts) with its OpenSSL name.
 * The TLS 1.3 suites keep their names in OpenSSL.
 */
export const CIPHER_SUITES: Readonly<Record<string, { readonly openssl: string; readonly tls13: boolean }>> =
  {
    TLS_RSA_WITH_AES_128_CBC_SHA: { openssl: "AES128-SHA", tls13: false },
    TLS_RSA_WITH_AES_256_CBC_SHA: { openssl: "AES256-SHA", tls13: false },
    TLS_RSA_WITH_AES_128_GCM_SHA256: { openssl: "AES128-GCM-SHA256", tls13: false },
    TLS_RSA_WITH_AES_256_GCM_SHA384: { openssl: "AES256-GCM-SHA384", tls13: false },
    TLS_AES_128_GCM_SHA256: { openssl: "TLS_AES_128_GCM_SHA256", tls13: true },
    TLS_AES_256_GCM_SHA384: { openssl: "TLS_AES_256_GCM_SHA384", tls13: true },
    TLS_CHACHA20_POLY1305_SHA256: { openssl: "TLS_CHACHA20_POLY1305_SHA256", tls13: true },
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: { openssl: "ECDHE-ECDSA-AES128-SHA", tls13: false },
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: { openssl: "ECDHE-ECDSA-AES256-SHA", tls13: false },
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: { openssl: "ECDHE-RSA-AES128-SHA", tls13: false },
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: { openssl: "ECDHE-RSA-AES256-SHA", tls13: false },
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: { openssl: "ECDHE-ECDSA-AES128-GCM-SHA256", tls13: false },
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: { openssl: "ECDHE-ECDSA-AES256-GCM-SHA384", tls13: false },
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: { openssl: "ECDHE-RSA-AES128-GCM-SHA256", tls13: false },
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: { openssl: "ECDHE-RSA-AES256-GCM-SHA384", tls13: false },
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: { openssl: "ECDHE-RSA-CHACHA20-POLY1305", tls13: false },
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: {
      openssl: "ECDHE-ECDSA-CHACHA20-POLY1305",
      tls13: false,
    },
  };

/** Go's insecure suites (`tls.InsecureCipherSuites()`): exporter-toolkit refuses them, and so do we. */
export const INSECURE_CIPHER_SUITES: ReadonlySet<string> = new Set([
  "TLS_RSA_WITH_RC4_128_SHA",
  "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
  "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
  "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
]);

/**
 * exporter-toolkit's curve names → OpenSSL group names (Node's `ecdhCurve`). X25519MLKEM768 (the hybrid
 * post-quantum group of Go 1.24) exists in OpenSSL 3.5 and later only: see groupSupported.
 */
export const CURVES: Readonly<Record<string, string>> = {
  CurveP256: "P-256",
  CurveP384: "P-384",
  CurveP521: "P-521",
  X25519: "X25519",
  X25519MLKEM768: "X25519MLKEM768",
};

const supported = new Map<string, boolean>();

/** Whether this Node's OpenSSL offers the group (asked once per group). */
export const groupSupported = (group: string): boolean => {
  let known = supported.get(group);
  if (known === undefined) {
    try {
      createSecureContext({ ecdhCurve: group });
      known = true;
    } catch {
      known = false;
    }
    supported.set(group, known);
  }
  return known;
};
