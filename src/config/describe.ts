/** --config.check output and --help text, both from the setting declarations; secrets masked. */
import type { Config, Credentials } from "./config.js";
import { fieldValue, type AnyDeclaration, type SharedLine } from "./declaration.js";
import { COMMAND_FLAGS, type CommandFlag } from "./command-flags.js";
import { SETTINGS } from "./settings.js";
import { MASK } from "./setting-types.js";

const maskedCredentials = (credentials: Credentials): string =>
  credentials.kind === "secret"
    ? `client secret ${MASK}`
    : `certificate (private key ${MASK}${credentials.privateKeyPassword === null ? "" : `, password ${MASK}`})`;

/** --config.check lines that show several settings at once, by name. */
const SHARED_LINES: Readonly<Record<SharedLine, (c: Config) => string>> = {
  credentials: (c: Config) => maskedCredentials(c.avepoint.credentials),
  shard: (c: Config) => `${c.shard.index} of ${c.shard.total}`,
  log: (c: Config) => `${c.log.level} ${c.log.format}`,
};

interface CheckLine {
  readonly name: string;
  readonly value: string;
  /** Where the settings shown came from, those not at their default. */
  readonly sources: string[];
}

/** One line per setting, or per shared line, in the order of the declarations. */
export const checkLines = (
  config: Config,
  sources: ReadonlyMap<string, string>,
  given: ReadonlyMap<string, string> = new Map(),
): CheckLine[] => {
  const lines = new Map<string, CheckLine>();
  for (const declaration of SETTINGS as readonly AnyDeclaration[]) {
    const name = declaration.line ?? declaration.flag;
    // The declaration's own types were checked where it was written.
    const show = (declaration.show ?? declaration.type.show) as (value: unknown) => string;
    // A duration or size as it was written (`2m`, `10MiB`), not as the number it became.
    const text = declaration.type.secret ? undefined : given.get(declaration.flag);
    const line = lines.get(name) ?? {
      name,
      value: declaration.line
        ? SHARED_LINES[declaration.line](config)
        : (text ?? show(fieldValue(config, declaration))),
      sources: [],
    };
    const source = sources.get(declaration.flag);
    if (source !== undefined && source !== "default" && !line.sources.includes(source))
      line.sources.push(source);
    lines.set(name, line);
  }
  return [...lines.values()];
};

/** @param given the texts of settings shown as given (ParsedArgs.given). */
export const describeConfig = (
  config: Config,
  sources: ReadonlyMap<string, string>,
  given: ReadonlyMap<string, string> = new Map(),
): string => {
  const lines = checkLines(config, sources, given);
  const width = Math.max(...lines.map(({ name }) => name.length));
  const text = lines.map(
    ({ name, value, sources: from }) =>
      `${name.padEnd(width)}  ${value}${from.length > 0 ? `   (from ${from.join(", ")})` : ""}`,
  );
  return `configuration is valid${config.configFile ? ` (config file ${config.configFile})` : ""}\n${text.join("\n")}\n`;
};

const helpEntry = (flag: CommandFlag | AnyDeclaration): string => {
  // A secret's flag and `<ENV>_FILE` name a file; its plain variable holds the secret itself.
  const secret = "type" in flag && flag.type.secret === true;
  // Whatever takes a value has an environment variable too.
  const [value, env] = flag.env === undefined ? ["", ""] : ["=…", ` [$${flag.env}${secret ? "_FILE" : ""}]`];
  const name = `${"short" in flag ? `-${flag.short}, ` : ""}--${flag.flag}${value}`;
  const def = "default" in flag && flag.default !== undefined ? ` (default ${flag.default})` : "";
  const inline = secret ? `\n      Or the value itself (not a path) in $${flag.env}.` : "";
  return `  ${name}${env}\n      ${flag.help}${def}${inline}`;
};

export const helpText = (): string => {
  const commands = COMMAND_FLAGS as readonly CommandFlag[];
  return [
    "usage: avepoint-exporter [flags]",
    "",
    "Prometheus exporter for the AvePoint Elements partner API.",
    "",
    ...commands.filter((c) => !c.afterSettings).map(helpEntry),
    ...(SETTINGS as readonly AnyDeclaration[]).map(helpEntry),
    ...commands.filter((c) => c.afterSettings).map(helpEntry),
    "",
    "POST /-/reload or SIGHUP reads --config.file, the secret files and --web.config.file again.",
    "",
  ].join("\n");
};
