/**
 * docs/configuration.md is what scripts/configuration-doc.ts makes from the setting declarations, and it
 * names every flag, variable, default and reloadable setting. `npm run docs` rewrites it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { configurationDoc } from "../../scripts/configuration-doc.js";
import { COMMAND_FLAGS } from "../../src/config/command-flags.js";
import type { AnyDeclaration } from "../../src/config/declaration.js";
import { SETTINGS } from "../../src/config/settings.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const FILE = "docs/configuration.md";
const settings = SETTINGS as readonly AnyDeclaration[];

describe(FILE, () => {
  const text = configurationDoc();
  /** The table row of a flag, as committed. */
  const rowOf = (flag: string): string => {
    const row = readFileSync(join(root, FILE), "utf8")
      .split("\n")
      .find((line) => line.startsWith("| ") && line.split(" | ")[0]?.includes(`\`--${flag}\``));
    if (row === undefined) throw new Error(`no row for --${flag}`);
    return row;
  };

  it("is what scripts/configuration-doc.ts generates (run `npm run docs` after changing a setting)", async () => {
    const path = join(root, FILE);
    const formatted = await format(text, { ...(await resolveConfig(path)), filepath: path });
    await expect(formatted).toMatchFileSnapshot(path);
  });

  it.each(settings.map((s) => [s.flag, s] as const))(
    "has a row for --%s with its variable, default and reload",
    (flag, s) => {
      const cells = rowOf(flag)
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      expect(cells).toHaveLength(5);
      expect(cells[1]).toContain(`\`${s.env}\``);
      if (s.type.secret) expect(cells[1]).toContain(`\`${s.env}_FILE\``);
      expect(cells[2]).toBe(
        s.default !== undefined ? `\`${s.default}\`` : s.type.unset === undefined ? "**required**" : "none",
      );
      expect(cells[3]).toBe(s.reloadable ? "yes" : "no");
      expect(cells[4]).toBe(s.help.replace(/\|/g, "\\|"));
    },
  );

  it("lists the command's own flags", () => {
    for (const command of COMMAND_FLAGS) expect(rowOf(command.flag)).toContain(command.help);
  });

  it("marks the secret and the required client ID", () => {
    expect(rowOf("avepoint.client-id")).toContain("**required**");
    expect(rowOf("avepoint.client-secret-file")).toContain("`AVEPOINT_CLIENT_SECRET_FILE`");
  });
});
