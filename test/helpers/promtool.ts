/** `promtool check metrics` and the text format's grouping rule, for tests of the exposition. */
import { spawn } from "node:child_process";
import { expect } from "vitest";
import { onPath } from "./tools.js";

const promtool = onPath("promtool");
export const promtoolRequired = process.env.REQUIRE_PROMETHEUS === "1";
export const promtoolMissing = promtool === undefined;
export const promtoolNote = promtoolMissing ? " (skipped: promtool not installed)" : "";
if (promtoolMissing && !promtoolRequired)
  console.warn("promtool is not on PATH; its checks are skipped (install `prometheus`).");

/** `promtool check metrics` with the exposition on stdin; exit code 0 means valid and lint-clean. */
export const checkMetrics = (text: string): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(promtool as string, ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
    child.stdin.end(text);
  });

/**
 * Asserts the text format's grouping rule: all lines of a family form one group, HELP and TYPE
 * first, and no family appears twice. Returns the families in order.
 */
export const expectGrouped = (text: string): string[] => {
  const families: string[] = [];
  let current = "";
  let type = "";
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const comment = /^# (HELP|TYPE) (\S+)(?: (\S+))?/.exec(line);
    if (comment) {
      const name = comment[2] as string;
      if (name !== current) {
        expect(families, `${name} appears twice`).not.toContain(name);
        families.push(name);
        current = name;
        type = "";
      }
      if (comment[1] === "TYPE") type = comment[3] ?? "";
      continue;
    }
    const metric = /^[^{ ]+/.exec(line)?.[0] ?? "";
    const family = ["histogram", "summary"].includes(type)
      ? metric.replace(/_(bucket|sum|count)$/, "")
      : metric;
    expect(family, `sample of ${metric} inside family ${current}`).toBe(current);
  }
  return families;
};
