/**
 * What relates settings to each other, after each has been read on its own: checks across settings,
 * and the Config fields made from several (URLs from the environment and region, scopes from the
 * flavor, credentials from their files).
 */
import { ConfigError } from "../errors.js";
import { DEFAULT_SCOPES, type Credentials } from "./config.js";
import type { ConfigField, FieldType, ValueOf } from "./declaration.js";
import { formatDuration } from "./duration.js";
import { ENVIRONMENTS, regionApiUrl } from "./environments.js";
import type { SETTINGS, SettingValues } from "./settings.js";

/**
 * A setting by its flag as the user wrote it (`--flag`, `ENV`, `flag in file.yml`): errors name
 * what was typed, not what it stands for.
 */
export type SettingName = (flag: string) => string;

const regionOnlyInCommercial = (s: SettingValues, name: SettingName): void => {
  const environment = s["avepoint.environment"];
  if (s["avepoint.region"] !== null && environment !== "commercial")
    throw new ConfigError(
      name("avepoint.region"),
      `regions exist only in the commercial environment, not ${environment}`,
    );
};

const shardIndexBelowTotal = (s: SettingValues, name: SettingName): void => {
  const [index, total] = [s["shard.index"], s["shard.total"]];
  if (index >= total)
    throw new ConfigError(
      name("shard.index"),
      `must be below ${name("shard.total")} (${total}), got ${index}`,
    );
};

const offsetBelowDefaultTimeout = (s: SettingValues, name: SettingName): void => {
  const [offset, timeout] = [s["collect.timeout-offset"], s["collect.default-timeout"]];
  if (offset >= timeout)
    throw new ConfigError(
      name("collect.timeout-offset"),
      `must be shorter than ${name("collect.default-timeout")} (${formatDuration(timeout)}), got ${formatDuration(offset)}`,
    );
};

/** Checks across settings, run in this order once every setting has been read. */
export const CHECKS: readonly ((s: SettingValues, name: SettingName) => void)[] = [
  regionOnlyInCommercial,
  shardIndexBelowTotal,
  offsetBelowDefaultTimeout,
];

/** A client secret, or a certificate with its key (and the key's password, if any): never both. */
const credentials = (s: SettingValues, name: SettingName): Credentials => {
  const secret = s["avepoint.client-secret-file"];
  const certificate = s["avepoint.certificate-file"];
  const key = s["avepoint.private-key-file"];
  if (certificate === null && key === null) {
    if (secret === null)
      throw new ConfigError(
        "--avepoint.client-secret-file",
        "missing credentials: set AVEPOINT_CLIENT_SECRET, AVEPOINT_CLIENT_SECRET_FILE or this flag, or a certificate",
      );
    return { kind: "secret", clientSecret: secret.read() };
  }
  if (secret !== null)
    throw new ConfigError(
      name("avepoint.client-secret-file"),
      `give either a client secret or a certificate (${name(certificate === null ? "avepoint.private-key-file" : "avepoint.certificate-file")}), not both`,
    );
  if (certificate === null)
    throw new ConfigError(
      "--avepoint.certificate-file",
      `missing (the private key from ${name("avepoint.private-key-file")} needs its certificate)`,
    );
  if (key === null)
    throw new ConfigError(
      "--avepoint.private-key-file",
      `missing (the certificate from ${name("avepoint.certificate-file")} needs its private key)`,
    );
  return {
    kind: "certificate",
    certificatePem: certificate.read(),
    privateKeyPem: key.read(),
    privateKeyPassword: s["avepoint.private-key-password-file"]?.read() ?? null,
  };
};

/** Config fields made from several settings; every other field is one setting's value as is. */
export const RULES = {
  "avepoint.apiUrl": (s) => {
    const region = s["avepoint.region"];
    const url = s["avepoint.api-url"] ?? (region === null ? urlsOf(s).apiUrl : regionApiUrl(region));
    return url.replace(/\/+$/, "");
  },
  "avepoint.tokenUrl": (s) => s["avepoint.token-url"] ?? urlsOf(s).tokenUrl,
  "avepoint.scopes": (s) => s["avepoint.scope"] ?? DEFAULT_SCOPES[s["avepoint.api-flavor"]],
  "avepoint.credentials": credentials,
} as const satisfies {
  readonly [P in ConfigField]?: (s: SettingValues, name: SettingName) => FieldType<P>;
};

const urlsOf = (s: SettingValues) => ENVIRONMENTS[s["avepoint.environment"]];

export type RuleField = keyof typeof RULES;

// Checked when compiling: the build fails here, naming the setting or the field, if a setting copied
// as is does not fit the Config field it lands in, or if a Config field is filled by nothing.
type Declared = (typeof SETTINGS)[number];
type Misfit<D> = D extends Declared
  ? D["to"] extends RuleField
    ? never
    : ValueOf<D> extends FieldType<D["to"]>
      ? never
      : D["flag"]
  : never;
type Nothing<T extends never> = T;
export type _EverySettingFits = Nothing<Misfit<Declared>>;
export type _EveryFieldFilled = Nothing<Exclude<ConfigField, Declared["to"] | RuleField>>;
