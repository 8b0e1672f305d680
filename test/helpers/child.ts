/**
 * The compiled exporter as a real process against a hostile upstream, with its memory watched from
 * /proc: the peak resident set is what a container limit would see. A process that passes
 * KILL_ABOVE_BYTES is killed at once, so that a failing case cannot take the machine with it.
 */
import { readFileSync } from "node:fs";
import { expect, onTestFinished } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { SECRET } from "./exporter.js";
import { parseExposition, type Scrape } from "./exposition.js";
import { startProcess, type RunningExporter } from "./process.js";

export const MIB = 1024 * 1024;
/** Far above any sane peak and far below what would hurt the machine. */
export const KILL_ABOVE_BYTES = 1200 * MIB;

export interface ChildExporter {
  readonly running: RunningExporter;
  /** The highest resident set seen (VmHWM where readable), in bytes. */
  peakRssBytes(): number;
  /** True when the watchdog had to kill the process. */
  killedForMemory(): boolean;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  scrape(): Promise<Scrape>;
}

/** VmHWM (peak) and VmRSS of a process, in bytes; null once it is gone. */
const memoryOf = (pid: number): { hwm: number; rss: number } | null => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { hwm: kib("VmHWM") * 1024, rss: kib("VmRSS") * 1024 };
  } catch {
    return null;
  }
};

/** Starts dist/src/main.js against `upstream` (a hostile fake or the simulator); stopped when the running test finishes. */
export const startChild = async (
  upstream: { readonly apiUrl: string; readonly tokenUrl: string },
  argv: readonly string[],
): Promise<ChildExporter> => {
  const running = await startProcess(
    [
      `--avepoint.api-url=${upstream.apiUrl}`,
      `--avepoint.token-url=${upstream.tokenUrl}`,
      "--avepoint.client-id=demo-client",
      "--avepoint.rate-limit=2000",
      "--avepoint.adaptive-rate=false",
      "--log.level=debug",
      ...argv,
    ],
    { AVEPOINT_CLIENT_SECRET: SECRET },
  );
  const pid = running.child.pid!;
  let peak = 0;
  let killed = false;
  const sample = (): void => {
    const memory = memoryOf(pid);
    if (memory === null) return;
    peak = Math.max(peak, memory.hwm, memory.rss);
    if (memory.rss > KILL_ABOVE_BYTES && !killed) {
      killed = true;
      running.child.kill("SIGKILL");
    }
  };
  const watchdog = setInterval(sample, 50);
  onTestFinished(async () => {
    clearInterval(watchdog);
    await running.stop();
  });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    sample();
    const response = await fetch(`${running.url}${path}`, { headers, signal: AbortSignal.timeout(40_000) });
    const text = await response.text();
    sample();
    return { status: response.status, text };
  };
  return {
    running,
    peakRssBytes: () => {
      sample();
      return peak;
    },
    killedForMemory: () => killed,
    get,
    scrape: async () => {
      const { status, text } = await get("/metrics", { "x-prometheus-scrape-timeout-seconds": "20" });
      return { status, text, samples: status === 200 ? parseExposition(text) : [] };
    },
  };
};

/** Scrapes until `done` or `withinMs`; a dead process ends the wait with its exit in the message. */
export const settleChild = async (
  child: ChildExporter,
  done: (scrape: Scrape) => boolean,
  withinMs = 30_000,
): Promise<Scrape> => {
  const until = Date.now() + withinMs;
  for (;;) {
    let result: Scrape;
    try {
      result = await child.scrape();
    } catch (err) {
      const exit = child.running.child.exitCode ?? child.running.child.signalCode;
      expect.unreachable(
        `the exporter stopped answering (exit ${String(exit)}, killed for memory: ${child.killedForMemory()}, peak RSS ${Math.round(child.peakRssBytes() / MIB)} MiB): ${String(err)}\n${child.running.output().slice(-2000)}`,
      );
      throw err;
    }
    if (result.status !== 200 || done(result) || Date.now() > until) return result;
    await sleep(200);
  }
};
