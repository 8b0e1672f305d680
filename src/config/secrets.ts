/**
 * Which values of a configuration must never be shown, and how any text is cleaned of them before it
 * reaches a log line, an error message or the landing page.
 */
import type { Credentials } from "./config.js";

export const REDACTED = "[REDACTED]";

/**
 * Pieces of a known secret this long or longer are removed wherever they appear: a secret cut by a
 * length limit (ours or the upstream's) must not survive as a fragment. Shorter pieces, and secrets
 * shorter than this, would match ordinary text.
 */
export const MIN_SECRET_FRAGMENT = 6;

/** Values that must never be printed: the client secret, or the private key and its password. */
export const secretsOf = (credentials: Credentials): string[] =>
  credentials.kind === "secret"
    ? [credentials.clientSecret]
    : [
        credentials.privateKeyPassword ?? "",
        ...credentials.privateKeyPem
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line !== "" && !line.startsWith("-----") && !line.includes(":")),
      ];

/**
 * Credentials whose value is not known in advance (access tokens, basic-auth passwords, anything in a
 * URL's user-info), recognised by their shape.
 */
const URL_CREDENTIALS: readonly [RegExp, string] = [
  /\b([a-z][a-z0-9+.-]*:[/\\]{2})[^\s/\\?#@"'<>]+@/gi,
  `$1${REDACTED}@`,
];

/** `scheme://user:password@host` → `scheme://[REDACTED]@host`. */
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

/** Every form a secret could take in a text: as is, JSON-escaped, URL- and form-encoded, base64. */
const secretForms = (secrets: readonly string[]): string[] => [
  ...new Set(
    secrets
      .filter((s) => s.length >= MIN_SECRET_FRAGMENT)
      .flatMap((s) => [
        s,
        JSON.stringify(s).slice(1, -1),
        encodeURIComponent(s),
        new URLSearchParams({ s }).toString().slice(2),
        Buffer.from(s).toString("base64"),
      ]),
  ),
];

/**
 * A function that replaces every known secret, and every piece of one at least
 * MIN_SECRET_FRAGMENT long, and every credential recognised by its shape, with `[REDACTED]`.
 * Linear in the text: each window of MIN_SECRET_FRAGMENT characters is looked up once in a set of the
 * secrets' windows, and runs of covered characters are replaced as a whole.
 */
export const redactor = (secrets: readonly string[]): ((text: string) => string) => {
  const windows = new Set<string>();
  for (const form of secretForms(secrets))
    for (let i = 0; i + MIN_SECRET_FRAGMENT <= form.length; i++)
      windows.add(form.slice(i, i + MIN_SECRET_FRAGMENT));
  if (windows.size === 0) return redactPatterns;
  const redactKnown = (text: string): string => {
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
export const clipRedacted = (text: string, max: number, redact: (text: string) => string): string => {
  const clean = redact(text);
  return clean.length <= max ? clean : `${redact(clean.slice(0, max))}…`;
};
