/**
 * What a reload may change while the exporter runs, and which changed settings need a restart
 * instead: from the declarations (`reloadable`). Settings that land in one Config field (the four
 * credential settings) are one change, named like their shared --config.check line.
 */
import type { Config } from "./config.js";
import { fieldValue, type AnyDeclaration } from "./declaration.js";
import { SETTINGS } from "./settings.js";

interface Watched {
  readonly name: string;
  readonly value: (config: Config) => unknown;
  readonly reloadable: boolean;
}

const watched = (): Watched[] => {
  const byField = new Map<string, Watched>();
  for (const declaration of SETTINGS as readonly AnyDeclaration[]) {
    const seen = byField.get(declaration.to);
    byField.set(declaration.to, {
      name: seen === undefined ? declaration.flag : (declaration.line ?? seen.name),
      value: (config) => fieldValue(config, declaration),
      reloadable: (seen?.reloadable ?? true) && declaration.reloadable === true,
    });
  }
  return [
    ...byField.values(),
    { name: "config.file", value: (config) => config.configFile, reloadable: false },
  ];
};

/** Every setting (by flag, or shared line for those landing in one field) and its value in a configuration. */
export const WATCHED: readonly Watched[] = watched();

/** Settings a reload applies without a restart. */
export const RELOADABLE: ReadonlySet<string> = new Set(
  WATCHED.filter((w) => w.reloadable).map((w) => w.name),
);

export interface ConfigChanges {
  /** Every setting whose value differs. */
  readonly changed: readonly string[];
  /** Those of them a reload cannot apply. */
  readonly needRestart: readonly string[];
}

/** Whether two settings' values (plain data: strings, numbers, arrays, records) are the same. */
const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Whether a reload changes the credentials (secret or certificate, key and password). */
export const credentialsChanged = (running: Config, next: Config): boolean =>
  !sameValue(running.avepoint.credentials, next.avepoint.credentials);

export const compareConfigs = (running: Config, next: Config): ConfigChanges => {
  const changed = WATCHED.filter(({ value }) => !sameValue(value(running), value(next))).map(
    ({ name }) => name,
  );
  return { changed, needRestart: changed.filter((name) => !RELOADABLE.has(name)) };
};
