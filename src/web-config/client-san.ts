/** client_allowed_sans: a client certificate's subject alternative names, matched exactly (as Go does). */
import { X509Certificate } from "node:crypto";
import { isIPv6 } from "node:net";

const ENTRY = /(DNS|IP Address|email|URI|othername|DirName|Registered ID):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;

/** IPv6 in one spelling (compressed, lower case), so that `::1` matches `0:0:0:0:0:0:0:1`. */
const canonical = (value: string): string =>
  isIPv6(value) ? new URL(`http://[${value}]`).hostname.slice(1, -1) : value;

/** The DNS, IP, e-mail and URI names of a certificate (DER). */
export const subjectAltNames = (der: Buffer): string[] => {
  const text = new X509Certificate(der).subjectAltName ?? "";
  const names: string[] = [];
  for (const [, type, raw = ""] of text.matchAll(ENTRY)) {
    if (type !== "DNS" && type !== "IP Address" && type !== "email" && type !== "URI") continue;
    // Node quotes values holding separators, as JSON strings.
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    names.push(type === "IP Address" ? canonical(value) : value);
  }
  return names;
};

export const peerHasAllowedSan = (der: Buffer | undefined, allowed: readonly string[]): boolean => {
  if (der === undefined) return false;
  let names: string[];
  try {
    names = subjectAltNames(der);
  } catch {
    return false;
  }
  const wanted = new Set(allowed.map(canonical));
  return names.some((name) => wanted.has(name));
};
