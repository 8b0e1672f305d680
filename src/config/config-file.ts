/** The YAML config file: any setting by its flag name, nested (`avepoint: {concurrency: 4}`) or dotted. */
import { isScalar, parseDocument, visit } from "yaml";
import { ConfigError } from "../errors.js";
import type { ReadFile } from "./declaration.js";

/**
 * Each setting's text by flag name (lists joined by commas; empty values left out).
 * @throws ConfigError `--config.file: …` for an unreadable file or an unknown key.
 */
export const readConfigFile = (
  path: string,
  readFile: ReadFile,
  flags: readonly string[],
): Map<string, string> => {
  const doc = readYaml(path, readFile);
  const known = new Set(flags);
  // Every beginning of a setting's name ("collect", "web.config"): anything else is refused at once.
  const branches = new Set(
    flags.flatMap((flag) => flag.split(".").map((_, i, parts) => parts.slice(0, i + 1).join("."))),
  );
  const out = new Map<string, string>();
  const walk = (node: unknown, prefix: string): void => {
    if (node === null || node === undefined) return;
    if (prefix !== "" && !branches.has(prefix))
      throw new ConfigError("--config.file", `unknown setting "${prefix}" in ${path}`);
    if (typeof node === "object" && !Array.isArray(node)) {
      for (const [key, value] of Object.entries(node)) walk(value, prefix ? `${prefix}.${key}` : key);
      return;
    }
    if (!known.has(prefix)) throw new ConfigError("--config.file", `unknown setting "${prefix}" in ${path}`);
    out.set(prefix, Array.isArray(node) ? node.map(String).join(",") : String(node));
  };
  walk(doc, "");
  return out;
};

/**
 * The file as plain data. yaml's own duplicate-key check compares every key with every other one
 * (80,000 keys took minutes), so it is off and done here with one set per mapping.
 */
const readYaml = (path: string, readFile: ReadFile): unknown => {
  const fail = (message: string): never => {
    throw new ConfigError("--config.file", `cannot read ${path}: ${message.split("\n")[0] ?? ""}`);
  };
  let text = "";
  try {
    text = readFile(path);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const error = doc.errors[0];
  if (error !== undefined) fail(error.message);
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) fail(`duplicate key "${String(key)}"`);
        seen.add(key);
      }
    },
  });
  try {
    return doc.toJS();
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
};
