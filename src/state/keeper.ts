/**
 * The kept state's life: at start, lock the directory and restore what an earlier process kept
 * (before the first scrape is answered); while running, save it every --storage.save-interval while
 * something changed, and at the end of each round; at shutdown, save once more and unlock. A save
 * that fails is logged once per cause and counted; the exporter keeps serving.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { AdaptiveRate } from "../avepoint/adaptive-rate.js";
import type { Customer } from "../avepoint/types.js";
import type { RoundListener, Rounds } from "../collect/rounds.js";
import { isStateLockError, acquireLock, type Lock } from "./lock.js";
import { readState, STATE_FILE, writeState, type RejectReason } from "./file.js";
import type { StateIdentity } from "./identity.js";

/** What the last restore did: restored, nothing kept yet (missing), or why the kept state was set aside. */
export type RestoreResult = "restored" | "missing" | "disabled" | RejectReason;

export const SAVE_FAILURE_REASONS = ["no_space", "read_only", "permission", "io"] as const;
export type SaveFailureReason = (typeof SAVE_FAILURE_REASONS)[number];

/** Told what the state does (the exporter's own metrics). */
export interface StateObserver {
  restored(result: RestoreResult, customers: number): void;
  /** `at` epoch seconds. */
  saved(at: number, durationSeconds: number, bytes: number): void;
  saveFailed(reason: SaveFailureReason): void;
}

export interface StateLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface KeeperOptions {
  readonly dir: string;
  readonly identity: StateIdentity;
  readonly saveIntervalSeconds: number;
  readonly rounds: Pick<Rounds, "snapshot" | "restore">;
  readonly rate: Pick<AdaptiveRate, "learned" | "resume">;
  /** Whether this instance collects a customer now (selection and shard): others are not restored. */
  readonly accept: (customer: Customer) => boolean;
  readonly observer: StateObserver;
  readonly logger?: StateLogger;
  readonly now?: () => number;
  /** Bound of the state file (default file.ts DEFAULT_MAX_BYTES). */
  readonly maxBytes?: number;
}

export const saveFailureReason = (err: unknown): SaveFailureReason => {
  switch ((err as NodeJS.ErrnoException).code) {
    case "ENOSPC":
    case "EDQUOT":
      return "no_space";
    case "EROFS":
      return "read_only";
    case "EACCES":
    case "EPERM":
      return "permission";
    default:
      return "io";
  }
};

export class StateKeeper {
  private identity: StateIdentity;
  private readonly now: () => number;
  private lock: Lock | null = null;
  private dirty = false;
  private saving: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Causes logged since the last successful save: each is logged once. */
  private readonly logged = new Set<SaveFailureReason>();

  constructor(private readonly options: KeeperOptions) {
    this.identity = options.identity;
    this.now = options.now ?? Date.now;
  }

  get file(): string {
    return join(this.options.dir, STATE_FILE);
  }

  /** Marks the state changed: rounds call it through {@link StateKeeper.listener}. */
  readonly listener: RoundListener = {
    listed: () => {
      this.dirty = true;
    },
    customerDone: () => {
      this.dirty = true;
    },
    customersGone: () => {
      this.dirty = true;
    },
    roundEnded: () => {
      this.dirty = true;
      void this.save();
    },
  };

  /**
   * Locks the directory and restores what it keeps, synchronously: before the first scrape.
   * @throws StateLockError when another live process holds the directory. Nothing else throws: a
   * directory that cannot be made or read, or a state that cannot be trusted, is logged and counted,
   * and the exporter starts clean.
   */
  open(): RestoreResult {
    const { dir, logger, observer } = this.options;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.lock = acquireLock(dir);
      if (this.lock.tookOverFrom !== null)
        logger?.info(
          { dir, pid: this.lock.tookOverFrom },
          "took over the lock left by a process that is gone",
        );
    } catch (err) {
      if (isStateLockError(err)) throw err;
      const detail = err instanceof Error ? err.message : String(err);
      logger?.error(
        { file: this.file, reason: "unreadable", err: detail },
        "state not restored; starting clean",
      );
      observer.restored("unreadable", 0);
      this.schedule();
      return "unreadable";
    }
    const read = readState(dir, {
      identity: this.identity,
      now: this.now() / 1000,
      ...(this.options.maxBytes === undefined ? {} : { maxBytes: this.options.maxBytes }),
    });
    this.schedule();
    if (!read.ok) {
      if (read.reason === "missing") {
        logger?.info({ file: this.file }, "no state kept yet; starting clean");
      } else {
        logger?.error(
          { file: this.file, reason: read.reason, err: read.detail },
          "state not restored; starting clean",
        );
        // The file cannot be trusted: the next save replaces it.
        this.dirty = true;
      }
      observer.restored(read.reason, 0);
      return read.reason;
    }
    const { rounds, rate, savedAt } = read.content;
    const customers = rounds.customers.filter((kept) => this.options.accept(kept.customer));
    this.options.rounds.restore({ ...rounds, customers });
    if (rate !== null) this.options.rate.resume(rate);
    observer.restored("restored", customers.length);
    logger?.info(
      {
        file: this.file,
        customers: customers.length,
        not_selected: rounds.customers.length - customers.length,
        saved_at: new Date(savedAt * 1000).toISOString(),
        ...(read.migratedFrom === null ? {} : { migrated_from_version: read.migratedFrom }),
        ...(rate === null ? {} : { rate: rate.rate }),
      },
      "state restored",
    );
    return "restored";
  }

  /** The identity later saves are written for (a reload may change the shard). */
  setIdentity(identity: StateIdentity): void {
    this.identity = identity;
    this.dirty = true;
  }

  /** Saves now (or right after the save in flight); never rejects. */
  save(): Promise<void> {
    if (this.saving !== null) {
      this.again = true;
      return this.saving;
    }
    this.saving = this.saveOnce().finally(() => {
      this.saving = null;
      if (this.again && !this.closed) {
        this.again = false;
        void this.save();
      }
    });
    return this.saving;
  }

  /** Stops the periodic saves, saves a last time (after the save in flight) and unlocks. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.saving;
    await this.saveOnce();
    this.lock?.release();
  }

  private schedule(): void {
    this.timer = setInterval(() => {
      if (this.dirty) void this.save();
    }, this.options.saveIntervalSeconds * 1000);
    this.timer.unref();
  }

  private async saveOnce(): Promise<void> {
    const { dir, observer, logger } = this.options;
    this.dirty = false;
    const started = performance.now();
    const savedAt = this.now() / 1000;
    try {
      const { bytes } = await writeState(dir, {
        savedAt,
        identity: this.identity,
        rounds: this.options.rounds.snapshot(),
        rate: this.options.rate.learned(),
      });
      const duration = (performance.now() - started) / 1000;
      observer.saved(savedAt, duration, bytes);
      if (this.logged.size > 0) logger?.info({ file: this.file }, "state saved again");
      this.logged.clear();
    } catch (err) {
      // Not saved: the next tick tries again.
      this.dirty = true;
      const reason = saveFailureReason(err);
      observer.saveFailed(reason);
      if (!this.logged.has(reason)) {
        this.logged.add(reason);
        logger?.error(
          { file: this.file, reason, err: err instanceof Error ? err.message : String(err) },
          "cannot save the state; still serving, will try again",
        );
      }
    }
  }
}
