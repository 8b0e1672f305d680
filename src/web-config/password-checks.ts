/**
 * bcrypt comparisons on worker threads, bounded in number. bcryptjs is pure JavaScript: on the event
 * loop one check at cost 10 blocks every other request for about 100 ms, so that a handful of clients
 * sending wrong passwords would starve health probes and scrapes alike. Here a check waits in a short
 * queue for a worker; when the queue is full the answer is "busy" at once (the caller answers 429).
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * The comparison on a worker, written to run as a CommonJS script or an ES module (which one depends
 * on the package type): only dynamic imports. bcryptjs is the one this module resolves.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = await import("node:worker_threads");
const loaded = await import(workerData.bcrypt);
const bcrypt = loaded.default ?? loaded;
parentPort.on("message", ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch { ok = false; }
  parentPort.postMessage({ id, ok });
});
`;

export type CheckResult = boolean | "busy";

export interface PasswordChecks {
  /** Whether `password` matches the bcrypt `hash`; "busy" when too many checks are pending. Never rejects. */
  compare(password: string, hash: string): Promise<CheckResult>;
  /** Checks running or waiting right now. */
  readonly pending: number;
  /** The most that were ever pending at once (for tests of the bound). */
  readonly highWater: number;
  /** Stops the workers; pending checks answer false. */
  close(): Promise<void>;
}

export interface PasswordCheckOptions {
  /** Worker threads; default: one per core but one, at most 2, so that checks never take every core. */
  readonly workers?: number;
  /** Checks running or queued at once; beyond it "busy". */
  readonly maxPending?: number;
}

interface Job {
  readonly id: number;
  readonly password: string;
  readonly hash: string;
  readonly resolve: (ok: CheckResult) => void;
}

export const createPasswordChecks = (options: PasswordCheckOptions = {}): PasswordChecks => {
  const size = Math.max(1, options.workers ?? Math.min(2, availableParallelism() - 1));
  const maxPending = Math.max(1, options.maxPending ?? size * 4);
  const idle: Worker[] = [];
  const all: Worker[] = [];
  const running = new Map<Worker, Job>();
  const queue: Job[] = [];
  let nextId = 0;
  let pending = 0;
  let highWater = 0;
  let closed = false;

  const spawn = (): Worker => {
    const bcrypt = pathToFileURL(createRequire(import.meta.url).resolve("bcryptjs")).href;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcrypt } });
    // Workers never keep the process alive: a stopping exporter does not wait for a check.
    worker.unref();
    worker.on("message", ({ ok }: { id: number; ok: boolean }) => {
      const job = running.get(worker);
      running.delete(worker);
      job?.resolve(ok === true);
      idle.push(worker);
      pump();
    });
    worker.on("error", () => {
      // A worker that died answers its check "busy" (never a cached refusal) and is replaced.
      const job = running.get(worker);
      running.delete(worker);
      all.splice(all.indexOf(worker), 1);
      job?.resolve("busy");
      pump();
    });
    all.push(worker);
    return worker;
  };

  const pump = (): void => {
    while (queue.length > 0 && !closed) {
      const worker = idle.pop() ?? (all.length < size ? spawn() : undefined);
      if (!worker) return;
      const job = queue.shift() as Job;
      running.set(worker, job);
      worker.postMessage({ id: job.id, password: job.password, hash: job.hash });
    }
  };

  return {
    compare: (password, hash) => {
      if (closed) return Promise.resolve(false);
      if (pending >= maxPending) return Promise.resolve("busy");
      pending += 1;
      highWater = Math.max(highWater, pending);
      return new Promise<CheckResult>((resolve) => {
        queue.push({
          id: nextId++,
          password,
          hash,
          resolve: (ok) => {
            pending -= 1;
            resolve(ok);
          },
        });
        pump();
      });
    },
    get pending() {
      return pending;
    },
    get highWater() {
      return highWater;
    },
    close: async () => {
      closed = true;
      for (const job of queue.splice(0)) job.resolve(false);
      for (const job of running.values()) job.resolve(false);
      running.clear();
      await Promise.all(all.splice(0).map((worker) => worker.terminate()));
    },
  };
};

let shared: PasswordChecks | undefined;

/** The process's one pool, made on first use. */
export const sharedPasswordChecks = (): PasswordChecks => (shared ??= createPasswordChecks());
