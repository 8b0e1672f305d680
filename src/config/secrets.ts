/**
 * Which values of a configuration must never be shown, and how any text is cleaned of them before it
 * reaches a log line, an error message or the landing page.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import type { Credentials } from "./config.js";

export const REDACTED = "[REDACTED]";

/**
 * Pieces of a known secret this long or longer are removed wherever they appear: a secret cut by a
 * length limit (ours or the upstream's) must not survive as a fragment. Shorter pieces, and secrets
 * shorter than this, would match ordinary text.
 */
export const MIN_SECRET_FRAGMENT = 6;

/**
 * Values that must never be printed: the client secret (and, given the client ID, the
 * `Authorization: Basic` value made of both, which an identity service may echo), or the private key
 * and its password.
 */
export const secretsOf = (credentials: Credentials, clientId?: string): string[] =>
  credentials.kind === "secret"
    ? [
        credentials.clientSecret,
        ...(clientId === undefined
          ? []
          : [
              Buffer.from(`${clientId}:${credentials.clientSecret}`).toString("base64"),
              // RFC 6749 §2.3.1: both form-encoded before base64.
              Buffer.from(`${formEncode(clientId)}:${formEncode(credentials.clientSecret)}`).toString(
                "base64",
              ),
            ]),
      ]
    : [
        credentials.privateKeyPassword ?? "",
        ...credentials.privateKeyPem
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line !== "" && !line.startsWith("-----") && !line.includes(":")),
      ];

const formEncode = (text: string): string => new URLSearchParams({ s: text }).toString().slice(2);

/**
 * Secrets learnt while running (access tokens as they are received): every redactor cleans them too
 * from that moment. Only the latest few are kept; older tokens have expired.
 */
const learned: string[] = [];
let learnedGeneration = 0;
const MAX_LEARNED = 16;

/** Makes every redactor clean this value from now on (an access token just received). */
export const learnSecret = (value: string): void => {
  if (value.length < MIN_SECRET_FRAGMENT || learned.includes(value)) return;
  learned.push(value);
  if (learned.length > MAX_LEARNED) learned.shift();
  learnedGeneration++;
};

/**
 * A rejected configuration value as an error may quote it: whole when short, else only its first
 * characters (a secret pasted into the wrong flag must not be printed).
 */
export const quoteRejected = (value: string): string =>
  value.length <= 12
    ? JSON.stringify(value)
    : `${JSON.stringify(value.slice(0, 6)).slice(0, -1)}…" (${value.length} characters)`;

/**
 * Credentials whose value is not known in advance (access tokens, basic-auth passwords, anything in a
 * URL's user-info), recognised by their shape.
 */
const URL_CREDENTIALS: readonly [RegExp, string] = [
  // Up to the @, whatever comes between (a password may hold / ? or #, which no URL parser takes).
  /\b([a-z][a-z0-9+.-]*:[/\\]{2})[^\s@"'<>]+@/gi,
  "$1***@",
];

/** `scheme://user:password@host` → `scheme://***@host`. */
export const redactUrlCredentials = (text: string): string =>
  text.replace(URL_CREDENTIALS[0], URL_CREDENTIALS[1]);

const PATTERNS: readonly (readonly [RegExp, string])[] = [
  URL_CREDENTIALS,
  // Authorization header values.
  [/\b(Bearer|Basic)(\s+)(?!\[REDACTED\])[A-Za-z0-9._~+/-]{8,}=*/gi, `$1$2${REDACTED}`],
  // key=value, key: value and "key":"value" for the names credentials travel under.
  [
    /\b(client_secret|client_assertion|access_token|refresh_token|id_token|password|passphrase)(\\?["']?\s*[:=]\s*\\?["']?)(?!\[REDACTED\])[^\s"'&,;)}\]\\]+/gi,
    `$1$2${REDACTED}`,
  ],
  // JSON Web Tokens (access tokens and client assertions), wherever they stand.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
];

const redactPatterns = (text: string): string =>
  PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);

const lowerHex = (text: string): string => text.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

/** JSON with every non-ASCII character and / escaped, as some encoders write it. */
const jsonAscii = (text: string): string =>
  JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\//g, "\\/");

const html = (text: string, apostrophe: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, apostrophe);

/**
 * Every form a secret could take in a text: as is, JSON-escaped (two ways), URL- and form-encoded
 * (upper- and lower-case hex), HTML-escaped, base64 and base64url.
 */
const secretForms = (secrets: readonly string[]): string[] => [
  ...new Set(
    secrets
      .filter((s) => s.length >= MIN_SECRET_FRAGMENT)
      .flatMap((s) => {
        const uri = encodeURIComponent(s);
        const form = formEncode(s);
        return [
          s,
          JSON.stringify(s).slice(1, -1),
          jsonAscii(s),
          uri,
          lowerHex(uri),
          form,
          lowerHex(form),
          html(s, "&#39;"),
          html(s, "&#x27;"),
          Buffer.from(s).toString("base64"),
          Buffer.from(s).toString("base64url"),
        ];
      }),
  ),
];

/**
 * A function that replaces every known secret, and every piece of one at least
 * MIN_SECRET_FRAGMENT long, and every credential recognised by its shape, with `[REDACTED]`.
 * Linear in the text: each window of MIN_SECRET_FRAGMENT characters is looked up once in a set of the
 * secrets' windows, and runs of covered characters are replaced as a whole.
 */
export const redactor = (secrets: readonly string[]): ((text: string) => string) => {
  let windows = new Set<string>();
  let generation = -1;
  // Rebuilt when a secret was learnt (a new access token), so that it is cleaned from then on.
  const current = (): Set<string> => {
    if (generation === learnedGeneration) return windows;
    generation = learnedGeneration;
    windows = new Set<string>();
    for (const form of secretForms([...secrets, ...learned]))
      for (let i = 0; i + MIN_SECRET_FRAGMENT <= form.length; i++)
        windows.add(form.slice(i, i + MIN_SECRET_FRAGMENT));
    return windows;
  };
  const redactKnown = (text: string): string => {
    const windows = current();
    if (windows.size === 0) return text;
    let out = "";
    let copied = 0;
    let runEnd = -1;
    let runStart = -1;
    for (let i = 0; i + MIN_SECRET_FRAGMENT <= text.length; i++) {
      if (!windows.has(text.slice(i, i + MIN_SECRET_FRAGMENT))) continue;
      if (i > runEnd) {
        if (runStart >= 0) {
          out += text.slice(copied, runStart) + REDACTED;
          copied = runEnd;
        }
        runStart = i;
      }
      runEnd = i + MIN_SECRET_FRAGMENT;
    }
    if (runStart < 0) return text;
    return out + text.slice(copied, runStart) + REDACTED + text.slice(runEnd);
  };
  return (text) => redactPatterns(redactKnown(text));
};

/**
 * At most `max` characters of `text` (plus an ellipsis when cut), redacted before the cut and again
 * after it, so that neither a whole secret nor a piece of one split by the cut gets through.
 */
/**
 * The one holder of the values this process must never print, shared by the composition root, the
 * logger and the exporter: a reload's new credentials are added here once and every redaction follows
 * (the old ones stay redacted: they may still be quoted).
 */
export class Secrets {
  private known: string[];
  private current: (text: string) => string;

  constructor(secrets: readonly string[] = []) {
    this.known = [...new Set(secrets)];
    this.current = redactor(this.known);
  }

  add(more: readonly string[]): void {
    this.known = [...new Set([...this.known, ...more])];
    this.current = redactor(this.known);
  }

  /** The text cleaned of every secret known now (see `redactor`). */
  readonly redact = (text: string): string => this.current(text);
}

/** Why a certificate credential cannot be used: one line naming the setting. */
export const unusableKeyMessage = (detail: string): string =>
  `--avepoint.private-key-file: cannot use the certificate and key (${detail})`;

export const clipRedacted = (text: string, max: number, redact: (text: string) => string): string => {
  const clean = redact(text);
  return clean.length <= max ? clean : `${redact(clean.slice(0, max))}…`;
};

/** Largest secret file (a client secret, a key password, a private key with its chain). */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;
/** Largest file any setting reads (the config file included): nothing is read in full beyond it. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * Reads a file named by the configuration, refusing one larger than `max` before reading it (a
 * device or a huge file named by mistake). The error carries code EFBIG.
 * @throws the file system's error, or one with code EFBIG.
 */
export const readLimitedFile = (path: string, max = MAX_CONFIG_FILE_BYTES): string => {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > max) throw Object.assign(new Error(`larger than ${max} bytes`), { code: "EFBIG" });
    // Read up to one byte more than allowed: a file that grows (or a pipe) is refused too.
    const buffer = Buffer.alloc(Math.min(max, Math.max(size, 4096)) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > max) throw Object.assign(new Error(`larger than ${max} bytes`), { code: "EFBIG" });
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    closeSync(fd);
  }
};

const secretFileWarnings: string[] = [];
const warned = new Set<string>();

/**
 * Notes a secret file that others may read (as OpenSSH refuses such a key; here a warning, since
 * containers often run with one user anyway). The target of a symbolic link is what counts, as in a
 * Kubernetes secret volume; its `defaultMode` decides.
 */
export const checkSecretFileMode = (path: string, setting: string): void => {
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o004) === 0 || warned.has(path)) return;
    warned.add(path);
    secretFileWarnings.push(
      `${setting}: ${path} is readable by every user (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); make it 0600 or 0640 (Kubernetes: defaultMode on the secret volume)`,
    );
  } catch {
    // Unreadable files are refused where they are read.
  }
};

/** The warnings noted since the last call, for the logger. */
export const takeSecretFileWarnings = (): string[] => secretFileWarnings.splice(0);
