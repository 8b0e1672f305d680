/** Runs the compiled exporter as a real process (built by `npm test` before vitest runs). */
import { onTestFinished } from "vitest";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const MAIN = join(import.meta.dirname, "../../dist/src/main.js");

const assertBuilt = (): void => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
};

/** No kept state unless the test gives its own directory: tests never share one (or the repository's data/). */
const withStorage = (args: readonly string[]): string[] =>
  args.some((arg) => arg.startsWith("--storage.path")) ? [...args] : ["--storage.path=", ...args];

export const runOnce = (
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> => {
  assertBuilt();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...withStorage(args)],
      { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
};

export interface RunningExporter {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts the exporter on an ephemeral loopback port and waits for its "listening" log line. */
export const startProcess = async (args: string[], env: Record<string, string>): Promise<RunningExporter> => {
  assertBuilt();
  const child = spawn(process.execPath, [MAIN, "--web.listen-address=127.0.0.1:0", ...withStorage(args)], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exporter did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      const match = /address=(?:")?(https?:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exporter exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    url,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        // A process ended by a signal has a null exitCode but a signalCode: it is gone all the same.
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }),
  };
};

/** A started exporter process for the running test, stopped when the test finishes (stopping twice is harmless). */
export const testProcess = async (args: string[], env: Record<string, string>): Promise<RunningExporter> => {
  const exporter = await startProcess(args, env);
  onTestFinished(async () => {
    await exporter.stop();
  });
  return exporter;
};
