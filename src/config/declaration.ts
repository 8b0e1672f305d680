/**
 * The shape of one setting's declaration (settings.ts holds them all) and the types derived from it.
 * Parsing, validation, --help, --config.check and reload's change detection read nothing else.
 */
import type { Config } from "./config.js";

/** The --config.check lines that show several settings at once; describe.ts writes each. */
export type SharedLine = "credentials" | "shard" | "log";

export type ReadFile = (path: string) => string;

/** What a setting type's parser knows besides the text. */
export interface ParseContext {
  readonly flag: string;
  /** Where the text came from, as --config.check names it: `--flag`, `$ENV`, `$ENV_FILE`, `config file`, `default`. */
  readonly source: string;
  /** The text came from the plain environment variable: for a secret, the value itself rather than its path. */
  readonly inline: boolean;
  readonly readFile: ReadFile;
  /** @throws ConfigError `--flag: problem` */
  readonly fail: (problem: string) => never;
  /** @throws ConfigError `--flag: missing (set the flag or ENV)` */
  readonly missing: () => never;
}

/** How a setting's text becomes its value, and how the value is shown. */
export interface SettingType<T> {
  /** @throws ConfigError (through `context.fail`) naming the flag */
  readonly parse: (text: string, context: ParseContext) => T;
  /** The value as --config.check prints it. */
  readonly show: (value: T) => string;
  /** The value when the setting is given nowhere and has no default; without it the setting is required. */
  readonly unset?: T;
  /**
   * Never printed. The plain environment variable holds the value itself, `<ENV>_FILE` a path to it;
   * the flag and the config file hold a path (a secret in a flag would show in `ps`).
   */
  readonly secret?: true;
  /** The text is the path of a file whose content is the value. */
  readonly file?: true;
  /**
   * --config.check prints the text as it was given (`2m`, `10MiB`) rather than `show(value)`: the
   * value is a number the text says more readably. Never for a secret.
   */
  readonly asGiven?: true;
}

type Groups = Omit<Config, "configFile">;

/** Every field of Config as `group.field`: where a setting's value lands. */
export type ConfigField = {
  [G in keyof Groups & string]: `${G}.${keyof Groups[G] & string}`;
}[keyof Groups & string];

export type FieldType<P extends ConfigField> = P extends `${infer G extends keyof Groups & string}.${infer K}`
  ? K extends keyof Groups[G]
    ? Groups[G][K]
    : never
  : never;

export interface Declaration<T, F extends string, P extends ConfigField> {
  /** Flag name without the leading dashes; also the key in the YAML config file (nested or dotted). */
  readonly flag: F;
  readonly env: string;
  readonly type: SettingType<T>;
  /** Text, read like any given value; shown by --help. */
  readonly default?: string;
  readonly help: string;
  /**
   * The Config field the value lands in: as is, or through the rule of that field in rules.ts
   * (URLs from the environment, scopes from the flavor, credentials from their files).
   */
  readonly to: P;
  /** Its --config.check text when the type's own does not say enough. */
  readonly show?: (value: FieldType<P>) => string;
  /** Shown on a --config.check line shared with other settings (describe.ts says how it reads). */
  readonly line?: SharedLine;
  /** May be given more than once on the command line; the values are joined by commas. */
  readonly repeatable?: true;
  /** A reload applies a change of it; any other change needs a restart. */
  readonly reloadable?: true;
}

/** Keeps `flag` and `to` as literal types and checks `show` against the field it lands in. */
export const setting = <T, const F extends string, const P extends ConfigField>(
  declaration: Declaration<T, F, P>,
): Declaration<T, F, P> => declaration;

/** Any declaration, as the generic code walks them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDeclaration = Declaration<any, string, ConfigField>;

export type ValueOf<D> = D extends Declaration<infer T, string, ConfigField> ? T : never;

/** The value a setting landed as in a configuration (after the rules in rules.ts). */
export const fieldValue = (config: Config, { to }: AnyDeclaration): unknown => {
  const [group, field] = to.split(".") as [keyof Config, string];
  return (config[group] as Readonly<Record<string, unknown>>)[field];
};
