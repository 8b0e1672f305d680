/** One exporter per state directory; a lock left by a process that is gone never blocks a start. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { acquireLock, isStateLockError, LOCK_FILE, startTimeOf } from "../../src/state/lock.js";
import { tempDir } from "./fixtures.js";

const bootId = (): string | null => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return null;
  }
};

/** A live process that is not this one, ended when the test finishes. */
const otherProcess = async (): Promise<number> => {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await once(child, "spawn");
  onTestFinished(() => void child.kill("SIGKILL"));
  return child.pid!;
};

const goneProcess = async (): Promise<number> => {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid!;
};

const holdBy = (dir: string, pid: number, start = startTimeOf(pid), host = hostname()): void =>
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host, boot: bootId(), start }));

describe("the state directory's lock", () => {
  it("is taken in a free directory and released again", () => {
    const dir = tempDir();
    const lock = acquireLock(dir);
    expect(lock.tookOverFrom).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(acquireLock(dir).tookOverFrom).toBeNull();
  });

  it("refuses a directory a live process holds, naming the process", async () => {
    const dir = tempDir();
    const pid = await otherProcess();
    holdBy(dir, pid);
    let error: unknown;
    try {
      acquireLock(dir);
    } catch (err) {
      error = err;
    }
    expect(isStateLockError(error)).toBe(true);
    expect((error as Error).message).toContain(`in use by process ${pid}`);
  });

  it.each([
    ["a process that is gone", async () => ({ pid: await goneProcess() })],
    [
      "a PID since reused by another process (another start time)",
      async () => ({ pid: await otherProcess(), start: "1" }),
    ],
    [
      "an earlier life of this very PID (a restarted container's PID 1)",
      () => ({ pid: process.pid, start: "1" }),
    ],
    [
      "another host (a container recreated under a new name)",
      async () => ({ pid: await otherProcess(), host: "elsewhere" }),
    ],
  ])("takes over the lock of %s", async (_name, holder) => {
    const dir = tempDir();
    const { pid, start, host } = (await holder()) as { pid: number; start?: string; host?: string };
    holdBy(dir, pid, start ?? startTimeOf(pid), host ?? hostname());
    const lock = acquireLock(dir);
    expect(lock.tookOverFrom).toBe(pid);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"))).toMatchObject({ pid: process.pid });
  });

  it("takes over a lock file that is not one (garbage)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), "\u0000garbage");
    expect(acquireLock(dir).tookOverFrom).toBe(0);
  });

  it("does not remove a lock another process took over meanwhile", () => {
    const dir = tempDir();
    const lock = acquireLock(dir);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: "other" }));
    lock.release();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"))).toMatchObject({ pid: 1 });
  });
});
