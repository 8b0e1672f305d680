/**
 * parseConfig(argv, env, readFile) → Config, or a ConfigError naming the setting. Pure but for readFile.
 * Each setting is taken from its flag, else its environment variable (for a secret also `<ENV>_FILE`),
 * else the config file, else its default; read by its type; then the checks and rules of rules.ts
 * relate the settings, and each value lands in its Config field.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../errors.js";
import type { Config } from "./config.js";
import { readConfigFile } from "./config-file.js";
import type { AnyDeclaration, ReadFile } from "./declaration.js";
import { CHECKS, RULES, type RuleField, type SettingName } from "./rules.js";
import { COMMAND_FLAGS, type CommandFlag } from "./command-flags.js";
import { SETTINGS, type SettingValues } from "./settings.js";

export type { ReadFile };

export interface ParsedArgs {
  readonly config: Config;
  readonly check: boolean;
  /** Where each setting's value came from (`--flag`, `$ENV`, `config file`, `default`), for --config.check. */
  readonly sources: ReadonlyMap<string, string>;
  /** The text of each setting whose type is shown as given (durations, sizes), for --config.check. */
  readonly given: ReadonlyMap<string, string>;
}

export interface CliAction {
  readonly action: "help" | "version";
}

const DECLARATIONS = SETTINGS as readonly AnyDeclaration[];
const COMMANDS = COMMAND_FLAGS as readonly CommandFlag[];
const CONFIG_FILE_ENV = COMMANDS.find((c) => c.flag === "config.file")?.env ?? "CONFIG_FILE";

type Env = Readonly<Record<string, string | undefined>>;

/** @throws ConfigError for any unknown, missing or invalid setting. */
export const parseConfig = (
  argv: readonly string[],
  env: Env,
  readFile: ReadFile,
): ParsedArgs | CliAction => {
  const flags = readFlags(argv);
  if (flags.help) return { action: "help" };
  if (flags.version) return { action: "version" };

  const configFile = flags.values.get("config.file") ?? env[CONFIG_FILE_ENV] ?? null;
  const fromFile =
    configFile === null ? new Map<string, string>() : readConfigFile(configFile, readFile, DECLARATIONS);

  const sources = new Map<string, string>();
  const texts = new Map<string, string>();
  const values: Record<string, unknown> = {};
  for (const declaration of DECLARATIONS) {
    const given = pick(declaration, flags.values, env, fromFile);
    if (given !== undefined) sources.set(declaration.flag, given.source);
    if (given !== undefined && declaration.type.asGiven && !declaration.type.secret)
      texts.set(declaration.flag, given.text.trim());
    values[declaration.flag] = read(declaration, given, readFile, configFile);
  }
  const settings = values as SettingValues;
  const name = nameOf(sources, configFile);
  for (const check of CHECKS) check(settings, name);
  return { config: assemble(settings, configFile, name), check: flags.check, sources, given: texts };
};

/**
 * A setting as the user wrote it, for error messages: the environment variable when the value came
 * from there, the key and file when from the config file, else the flag.
 */
const settingName = (flag: string, source: string | undefined, configFile: string | null): string => {
  if (source?.startsWith("$")) return source.slice(1);
  if (source === "config file" && configFile !== null) return `${flag} in ${configFile}`;
  return `--${flag}`;
};

const nameOf =
  (sources: ReadonlyMap<string, string>, configFile: string | null): SettingName =>
  (flag) =>
    settingName(flag, sources.get(flag), configFile);

interface Given {
  readonly text: string;
  readonly source: string;
  /** From the plain environment variable: a secret's value itself rather than its path. */
  readonly inline: boolean;
}

/** The text a setting is given, by precedence: flag, environment, config file, default. */
const pick = (
  { flag, env: name, type, default: fallback }: AnyDeclaration,
  flags: ReadonlyMap<string, string>,
  env: Env,
  fromFile: ReadonlyMap<string, string>,
): Given | undefined => {
  const fromFlag = flags.get(flag);
  if (fromFlag !== undefined) return { text: fromFlag, source: `--${flag}`, inline: false };
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== "") return { text: fromEnv, source: `$${name}`, inline: true };
  const pathEnv = type.secret ? env[`${name}_FILE`] : undefined;
  if (pathEnv !== undefined && pathEnv !== "")
    return { text: pathEnv, source: `$${name}_FILE`, inline: false };
  const text = fromFile.get(flag);
  if (text !== undefined) return { text, source: "config file", inline: false };
  return fallback === undefined ? undefined : { text: fallback, source: "default", inline: false };
};

/** The setting's value, read by its type. */
const read = (
  declaration: AnyDeclaration,
  given: Given | undefined,
  readFile: ReadFile,
  configFile: string | null,
): unknown => {
  const { flag, env, type } = declaration;
  const fail = (problem: string): never => {
    throw new ConfigError(settingName(flag, given?.source, configFile), problem);
  };
  const missing = (): never => fail(`missing (set the flag or ${env})`);
  if (given === undefined) return type.unset !== undefined ? type.unset : missing();
  return type.parse(given.text, {
    flag,
    source: given.source,
    inline: given.inline,
    readFile,
    fail,
    missing,
  });
};

/** Each value into its Config field; a field several settings feed is made once, by its rule. */
const assemble = (settings: SettingValues, configFile: string | null, name: SettingName): Config => {
  const groups: Record<string, Record<string, unknown>> = {};
  for (const { flag, to } of DECLARATIONS) {
    const [group = "", field = ""] = to.split(".");
    const target = (groups[group] ??= {});
    if (field in target) continue;
    target[field] =
      to in RULES ? RULES[to as RuleField](settings, name) : (settings as Record<string, unknown>)[flag];
  }
  // Complete and of the right types: checked when compiling, at the end of rules.ts.
  return { ...groups, configFile } as unknown as Config;
};

const REPEATABLE: ReadonlySet<string> = new Set(DECLARATIONS.filter((d) => d.repeatable).map((d) => d.flag));

const readFlags = (argv: readonly string[]) => {
  type Option = { type: "string" | "boolean"; short?: string; multiple?: boolean };
  const options: Record<string, Option> = {};
  for (const { flag, env, short } of COMMANDS)
    options[flag] = {
      type: env === undefined ? "boolean" : "string",
      ...(short === undefined ? {} : { short }),
    };
  for (const { flag } of DECLARATIONS)
    options[flag] = { type: "string", ...(REPEATABLE.has(flag) ? { multiple: true } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A stray argument is not echoed: it may be a secret typed in the wrong place.
    if (/positional/i.test(message))
      throw new ConfigError("arguments", "unexpected argument without a flag name (write --name=value)");
    // A long name is cut: it may be a paste gone wrong.
    const name = /'(-{1,2}[^'= ]+)/.exec(message)?.[1];
    const flag = name === undefined ? "arguments" : name.length > 64 ? `${name.slice(0, 64)}…` : name;
    const problem = /unknown option/i.test(message)
      ? "unknown flag (see --help)"
      : /argument missing/i.test(message)
        ? "needs a value (--name=value)"
        : "cannot be read (see --help)";
    throw new ConfigError(flag, problem);
  }
  // A flag given twice would silently keep its last value: refused, unless it is meant to repeat.
  const seen = new Set<string>();
  const repeating = [...REPEATABLE].map((flag) => `--${flag}`).join(", ");
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || REPEATABLE.has(token.name)) continue;
    if (seen.has(token.name))
      throw new ConfigError(`--${token.name}`, `given more than once (only ${repeating} repeats)`);
    seen.add(token.name);
  }
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed.values)) {
    if (typeof value === "string") values.set(key, value);
    if (Array.isArray(value)) values.set(key, value.join(","));
  }
  return {
    values,
    check: parsed.values["config.check"] === true,
    help: parsed.values.help === true,
    version: parsed.values.version === true,
  };
};
