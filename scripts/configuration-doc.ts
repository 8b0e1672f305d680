/**
 * docs/configuration.md, made from the setting declarations (src/config/settings.ts) and the command's
 * own flags: every flag, its environment variable(s), default, whether a reload applies it, and its help.
 * test/ops/configuration-doc.test.ts fails when the committed file differs; `npm run docs` rewrites it.
 */
import { COMMAND_FLAGS, type CommandFlag } from "../src/config/command-flags.js";
import type { AnyDeclaration } from "../src/config/declaration.js";
import { SETTINGS } from "../src/config/settings.js";

/** A table cell: no line breaks, and `|` escaped so the row keeps its columns. */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
const code = (text: string): string => `\`${text}\``;

/** Where a setting may be given besides its flag: a secret's variable holds the value, `_FILE` a path. */
const environment = ({ env, type }: AnyDeclaration): string =>
  type.secret ? `${code(env)} (the value), ${code(`${env}_FILE`)} (a file holding it)` : code(env);

const defaultOf = (declaration: AnyDeclaration): string => {
  if (declaration.default !== undefined) return code(declaration.default);
  if (declaration.type.unset === undefined) return "**required**";
  return "none";
};

const flagOf = ({ flag, type }: AnyDeclaration): string =>
  `${code(`--${flag}`)}${type.file ? " _(path)_" : ""}`;

const settingRow = (declaration: AnyDeclaration): string =>
  `| ${[
    flagOf(declaration),
    environment(declaration),
    defaultOf(declaration),
    declaration.reloadable ? "yes" : "no",
    cell(declaration.help),
  ].join(" | ")} |`;

const commandRow = (command: CommandFlag): string =>
  `| ${[
    `${command.short ? `${code(`-${command.short}`)}, ` : ""}${code(`--${command.flag}`)}`,
    command.env ? code(command.env) : "",
    cell(command.help),
  ].join(" | ")} |`;

/** The page, as Markdown (prettier formats the tables when the test writes it). */
export const configurationDoc = (): string => {
  const settings = SETTINGS as readonly AnyDeclaration[];
  return [
    "# Configuration",
    "",
    "<!-- Generated from src/config/settings.ts by scripts/configuration-doc.ts: run `npm run docs`, do not edit. -->",
    "",
    "Every setting is a flag and an environment variable; a flag wins over the variable, and both win over",
    "`--config.file`, a YAML file that may hold any setting under its flag's name, nested or dotted",
    "(`avepoint: {client-id: …, concurrency: 4}` or `avepoint.concurrency: 4`). A secret itself is never",
    "a flag (it would show in `ps`) nor a key of the config file: its environment variable holds the",
    "value, and the flag, the config file or the variable with `_FILE` appended name a file holding it.",
    "Durations take `250ms`, `30s`, `5m`, `1h30m` or plain seconds. `avepoint-exporter --config.check`",
    "validates the configuration and prints the effective settings, secrets masked;",
    "`avepoint-exporter -h` lists the same flags.",
    "",
    "_Reload_: `POST /-/reload` (or `PUT`) and `SIGHUP` read `--config.file`, the secret files and",
    "`--web.config.file` again. A change to a setting marked _yes_ is applied at once; a change to any",
    "other refuses the whole reload, naming the settings, because it needs a restart.",
    "",
    `## Settings (${settings.length})`,
    "",
    "| flag | environment | default | reload | meaning |",
    "| --- | --- | --- | --- | --- |",
    ...settings.map(settingRow),
    "",
    "Each duration has a maximum: `--avepoint.request-timeout` and `--collect.default-timeout` 10m,",
    "`--collect.timeout-offset` 1m (and below `--collect.default-timeout`), `--collect.min-interval` 7d,",
    "`--collect.max-stale` 24d20h31m23s647ms (the longest a timer can wait). URLs must not carry",
    "credentials (`https://user:pass@…` is refused, naming the setting, without printing it). A bad setting",
    "stops the exporter at start with one line naming it and exit code 2.",
    "",
    "**Why these defaults.** AvePoint does not publish its rate limit, and a throttled app registration is",
    "throttled for every tool that uses it. 8 requests in flight and 20 per second collect 1,000 customers",
    "(1,010 requests with `v3`) in under a minute without bursts; raise them only if",
    '`avepoint_api_requests_total{code="429"}` stays at zero ([rounds](rounds.md) explains the sizing).',
    "",
    "## Authentication",
    "",
    "A client secret, or, as AvePoint recommends, a certificate: the exporter signs an RS256 client",
    "assertion (RFC 7523: `iss` = `sub` = client ID, `aud` = token URL, fresh `jti`, five minutes of",
    "validity, `x5t` = the certificate's SHA-1 thumbprint). Keys may be encrypted (PKCS#8 or PKCS#1 PEM",
    "with a password). A `.pfx` is not read directly — convert it once:",
    "`openssl pkcs12 -in app.pfx -nocerts -out key.pem` and",
    "`openssl pkcs12 -in app.pfx -clcerts -nokeys -out cert.pem`. Tokens are reused until shortly before",
    "they expire; a 401 fetches a new one and retries once. Every text that reaches the log, an error",
    "message or the landing page is cleaned of the secrets ([security](security.md)).",
    "",
    "## Command flags",
    "",
    "| flag | environment | meaning |",
    "| --- | --- | --- |",
    ...(COMMAND_FLAGS as readonly CommandFlag[]).map(commandRow),
    "",
  ].join("\n");
};
