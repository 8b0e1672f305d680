/**
 * One process per state directory, as Prometheus keeps a lock in its data directory: the lock file
 * names the process that holds it (PID, host, boot and the process's start time), so that a lock
 * left by a killed process is recognised as stale and taken over, while a live holder makes the
 * second process say so and exit.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ExporterError } from "../errors.js";

export const LOCK_FILE = "lock";

/** Another live process holds the directory. */
export class StateLockError extends ExporterError {
  override name = "StateLockError";
}

export const isStateLockError = (err: unknown): err is StateLockError => err instanceof StateLockError;

interface Holder {
  readonly pid: number;
  readonly host: string;
  /** Linux boot ID; null elsewhere. */
  readonly boot: string | null;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat); null elsewhere. */
  readonly start: string | null;
}

const readOr = (path: string): string | null => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
};

/** Field 22 of /proc/<pid>/stat, read after the command name (which may hold spaces and parentheses). */
export const startTimeOf = (pid: number, proc = "/proc"): string | null => {
  const stat = readOr(`${proc}/${pid}/stat`);
  if (stat === null) return null;
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
};

const bootId = (proc: string): string | null => readOr(`${proc}/sys/kernel/random/boot_id`)?.trim() ?? null;

const me = (proc: string): Holder => ({
  pid: process.pid,
  host: hostname(),
  boot: bootId(proc),
  start: startTimeOf(process.pid, proc),
});

const parseHolder = (text: string): Holder | null => {
  try {
    const raw = JSON.parse(text) as Partial<Holder>;
    if (typeof raw.pid !== "number" || !Number.isInteger(raw.pid) || raw.pid <= 0) return null;
    return {
      pid: raw.pid,
      host: typeof raw.host === "string" ? raw.host : "",
      boot: typeof raw.boot === "string" ? raw.boot : null,
      start: typeof raw.start === "string" ? raw.start : null,
    };
  } catch {
    return null;
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Whether a lock's holder still runs. Another host's process cannot be seen from here: its lock is
 * taken over (a container recreated under a new host name must start). On this host, a process
 * with our own PID is an earlier life of ours (PID 1 of a restarted container), and a PID that now
 * belongs to a process started at another time is not the holder.
 */
export const holderRuns = (holder: Holder, proc = "/proc"): boolean => {
  const mine = me(proc);
  if (holder.host !== mine.host) return false;
  if (holder.boot !== null && mine.boot !== null && holder.boot !== mine.boot) return false;
  if (holder.pid === mine.pid) return false;
  if (!alive(holder.pid)) return false;
  if (holder.start === null) return true;
  const start = startTimeOf(holder.pid, proc);
  return start === null || start === holder.start;
};

export interface Lock {
  /** What was taken over, for the log: the stale holder's PID, or null when the directory was free. */
  readonly tookOverFrom: number | null;
  release(): void;
}

/**
 * Takes the directory's lock.
 * @throws StateLockError when a live process holds it; the file system's error when the lock
 * cannot be written.
 */
export const acquireLock = (dir: string, proc = "/proc"): Lock => {
  const path = join(dir, LOCK_FILE);
  const holder = me(proc);
  let tookOverFrom: number | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(holder)}\n`, { flag: "wx", mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (attempt > 0)
        throw new StateLockError(
          `--storage.path ${dir} was locked by another process while this one took a stale lock over (lock file ${path})`,
        );
    }
    const text = readOr(path);
    const other = text === null ? null : parseHolder(text);
    if (other !== null && holderRuns(other, proc))
      throw new StateLockError(
        `--storage.path ${dir} is in use by process ${other.pid} (lock file ${path}); two exporters cannot share one state directory`,
      );
    tookOverFrom = other?.pid ?? 0;
    rmSync(path, { force: true });
  }
  return {
    tookOverFrom,
    release: () => {
      // Only our own lock: a process that took a stale one over meanwhile keeps its own.
      const now = readOr(path);
      if (now !== null && parseHolder(now)?.pid === holder.pid) rmSync(path, { force: true });
    },
  };
};
