/** External tools the tests may use (promtool, prometheus): found on PATH or reported missing. */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The executable `command` as found on PATH, or undefined. */
export const onPath = (command: string): string | undefined =>
  (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, command))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
