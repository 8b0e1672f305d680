/**
 * Reload (POST /-/reload and SIGHUP): read --config.file, the secret files and --web.config.file
 * again, check them completely, and apply what may change while running — the customer selection, the
 * log level, rotated credentials, the web config — without touching the data, a round in progress or
 * the learned rate. Anything else that changed is named in the refusal; a refused reload changes
 * nothing, and avepoint_exporter_config_last_reload_successful says so.
 */
import type { Logger } from "pino";
import { compareConfigs } from "./config/changes.js";
import type { Config } from "./config/config.js";
import type { ParsedArgs } from "./config/parse.js";
import { takeSecretFileWarnings, unusableKeyMessage } from "./config/secrets.js";
import { isConfigError } from "./errors.js";
import type { Exporter } from "./exporter.js";
import type { ReloadOutcome } from "./server/app.js";
import type { WebConfig } from "./web-config/web-config.js";

export interface ReloaderDeps {
  /** The configuration as read now, from the same flags and environment as at start. */
  readonly read: () => ParsedArgs;
  readonly running: Config;
  readonly exporter: Pick<Exporter, "reconfigure" | "checkReconfigure" | "self">;
  readonly web: WebConfig | null;
  /** The root logger: its level is the one children follow. */
  readonly logger: Logger;
}

export interface Reloader {
  /** Never rejects; reloads asked for while one runs are coalesced into one that runs after it. */
  reload(trigger: string): Promise<ReloadOutcome>;
}

const oneLine = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";

export const createReloader = (deps: ReloaderDeps): Reloader => {
  let running = deps.running;
  const { exporter, logger, web } = deps;

  let reloading = false;
  // Re-reads of the web config noticed on a request count as reloads too.
  web?.onReload((result) => {
    exporter.self.reloaded("web", result.ok);
    // Within a reload, the reload's own line tells.
    if (result.ok)
      for (const warning of result.warnings) logger.warn({ file: running.web.configFile }, warning);
    if (reloading) return;
    if (result.ok) logger.info({ file: running.web.configFile }, "web config read again and applied");
    else if (result.opensDoor)
      logger.warn(
        { err: result.message },
        "web config change refused: it would remove authentication or TLS from the running exporter; restart to do that on purpose",
      );
    else logger.error({ err: result.message }, "web config refused; the running one stays");
  });

  const attempt = (): ReloadOutcome => {
    let next: Config;
    try {
      next = deps.read().config;
    } catch (err) {
      if (isConfigError(err)) return { ok: false, message: err.message };
      throw err;
    }
    const { changed, needRestart } = compareConfigs(running, next);
    if (needRestart.length > 0)
      return {
        ok: false,
        message: `cannot change without a restart: ${needRestart.map((flag) => (flag === "credentials" ? flag : `--${flag}`)).join(", ")}`,
      };
    // Everything that can refuse is checked before anything is applied: the credentials first, then
    // the web config, last because it is applied as soon as it is accepted.
    try {
      exporter.checkReconfigure(next);
    } catch (err) {
      return {
        ok: false,
        message: unusableKeyMessage(oneLine(err)),
      };
    }
    if (web) {
      try {
        web.reload();
      } catch (err) {
        return { ok: false, message: oneLine(err) };
      }
    }
    try {
      exporter.reconfigure(next);
    } catch (err) {
      return {
        ok: false,
        message: unusableKeyMessage(oneLine(err)),
      };
    }
    logger.level = next.log.level;
    running = next;
    return {
      ok: true,
      message: changed.length === 0 ? "Reloaded, nothing changed" : `Reloaded: ${changed.join(", ")}`,
    };
  };

  const run = (trigger: string): ReloadOutcome => {
    let result: ReloadOutcome;
    reloading = true;
    try {
      result = attempt();
    } catch (err) {
      result = { ok: false, message: oneLine(err) };
    } finally {
      reloading = false;
    }
    exporter.self.reloaded("config", result.ok);
    for (const warning of takeSecretFileWarnings()) logger.warn(warning);
    if (result.ok) logger.info({ trigger }, result.message);
    else logger.error({ trigger, err: result.message }, "reload refused; the running configuration stays");
    return result;
  };

  // One reload runs at a time; every reload asked for meanwhile joins the one waiting to run next
  // (it reads the files after they were asked about), so a flood of requests costs two reloads.
  let queue: Promise<unknown> = Promise.resolve();
  let waiting: Promise<ReloadOutcome> | null = null;
  return {
    reload: (trigger) => {
      if (waiting) return waiting;
      const next = queue.then(() => {
        waiting = null;
        return run(trigger);
      });
      waiting = next;
      queue = next;
      return next;
    },
  };
};
