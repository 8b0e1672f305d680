/**
 * The running exporter as the operating system shows it (Linux /proc): its arguments, environment
 * and working directory, so that the container's health check reads the very settings the exporter
 * was started with — flags given to `docker run` included, which a HEALTHCHECK command never sees.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ExporterProcess {
  readonly pid: number;
  /** The exporter's own arguments (after the script). */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

const ENTRY = /(?:^|\/)dist\/src\/main\.js$/;

/**
 * The exporter's arguments from a process's command line (`node [node options] …/dist/src/main.js
 * [arguments]`), or undefined when the process is not the exporter.
 */
export const exporterArguments = (cmdline: readonly string[]): string[] | undefined => {
  const [program, ...rest] = cmdline;
  if (program === undefined || !/(?:^|\/)node$/.test(program)) return undefined;
  const script = rest.findIndex((arg) => !arg.startsWith("-"));
  if (script === -1 || !ENTRY.test(rest[script] ?? "")) return undefined;
  return rest.slice(script + 1);
};

const nulSeparated = (path: string): string[] => readFileSync(path, "utf8").split("\0").filter(Boolean);

const environment = (entries: readonly string[]): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
};

/** @throws when the process is gone, not the exporter, or belongs to another user. */
export const readExporterProcess = (pid: number, proc = "/proc"): ExporterProcess => {
  const args = exporterArguments(nulSeparated(`${proc}/${pid}/cmdline`));
  if (args === undefined) throw new Error(`process ${pid} is not the exporter (node …/dist/src/main.js)`);
  return {
    pid,
    args,
    env: environment(nulSeparated(`${proc}/${pid}/environ`)),
    cwd: readlinkSync(`${proc}/${pid}/cwd`),
  };
};

/**
 * The exporter in this container: process 1 (the image's ENTRYPOINT), or else the only exporter
 * process there is (an init process such as `docker run --init` runs it as a child).
 * @throws when there is none, or more than one to choose from.
 */
export const findExporterProcess = (proc = "/proc"): ExporterProcess => {
  try {
    return readExporterProcess(1, proc);
  } catch {
    // Not process 1: look further.
  }
  const found: ExporterProcess[] = [];
  for (const name of readdirSync(proc)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      found.push(readExporterProcess(pid, proc));
    } catch {
      // Another program, or gone meanwhile.
    }
  }
  const [only, ...more] = found;
  if (only === undefined) throw new Error("no exporter process found");
  if (more.length > 0)
    throw new Error(
      `${found.length} exporter processes (${found.map((p) => p.pid).join(", ")}): name one with --pid`,
    );
  return only;
};
