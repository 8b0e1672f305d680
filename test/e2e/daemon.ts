/** A server binary a test started (Prometheus, Alertmanager): its recent log, its stop, its readiness. */
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

export interface Daemon {
  /** The last lines it wrote to stderr. */
  readonly log: () => string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  readonly stop: () => Promise<void>;
  /**
   * Resolves once `${url}/-/ready` answers 200.
   * @throws Error with its log when it exits first or is not ready after 20 s (it is stopped then).
   */
  readonly ready: (url: string) => Promise<void>;
}

export const watchDaemon = (name: string, child: ChildProcess, keepLines: number): Daemon => {
  const lines: string[] = [];
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    lines.push(...chunk.split("\n").filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - keepLines));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = (): string => lines.join("\n");
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
  };
  const ready = async (url: string): Promise<void> => {
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
      try {
        // Short timeout: if another process got the port first, it may accept and never answer.
        if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() - started > 20_000) {
        await stop();
        throw new Error(`${name} not ready after 20 s:\n${log()}`);
      }
      await sleep(100);
    }
  };
  return { log, stop, ready };
};
