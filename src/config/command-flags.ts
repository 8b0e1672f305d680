/** Flags of the command itself rather than settings of the exporter: never in the config file. */

export interface CommandFlag {
  readonly flag: string;
  /** Takes a value (`--config.file=…`), read also from this environment variable. */
  readonly env?: string;
  readonly short?: string;
  readonly help: string;
  /** Listed by --help after the settings rather than before. */
  readonly afterSettings?: true;
}

export const COMMAND_FLAGS = [
  {
    flag: "config.file",
    env: "CONFIG_FILE",
    help: "YAML file with any of the settings below (flags and environment win).",
  },
  {
    flag: "config.check",
    help: "Validate the configuration, print the effective settings (secrets masked) and exit.",
  },
  { flag: "version", help: "Print the version, revision and build date and exit.", afterSettings: true },
  { flag: "help", short: "h", help: "Print this help and exit.", afterSettings: true },
] as const satisfies readonly CommandFlag[];
