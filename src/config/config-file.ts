/** The YAML config file: any setting by its flag name, nested (`avepoint: {concurrency: 4}`) or dotted. */
import { isScalar, parseDocument, visit, type YAMLError } from "yaml";
import { ConfigError } from "../errors.js";
import type { AnyDeclaration, ReadFile } from "./declaration.js";
import { quote } from "./setting-types.js";

/** Keys are not secrets, but a key may be a paste gone wrong: quoted up to this length. */
const KEY_QUOTE_MAX = 64;

/** A key the same whatever its spelling: `client-secret`, `client_secret`, `clientSecret`. */
const loose = (key: string): string => key.toLowerCase().replace(/[-_]/g, "");

/**
 * The keys a secret would have if the file held it (`client-secret` for --avepoint.client-secret-file),
 * loosely spelled, each with the line that says where the secret belongs instead.
 */
const secretKeys = (declarations: readonly AnyDeclaration[]): Map<string, string> =>
  new Map(
    declarations
      .filter((d) => d.type.secret)
      .map((d) => {
        const stem = d.flag.replace(/-file$/, "");
        const key = stem.slice(stem.lastIndexOf(".") + 1);
        return [loose(key), `secrets are not read from the config file; use --${d.flag} or ${d.env}(_FILE)`];
      }),
  );

/**
 * Each setting's text by flag name (lists joined by commas; empty values left out).
 * @throws ConfigError `--config.file: …` for an unreadable file, an unknown key, a secret in the file,
 *   or a key given twice (once nested, once dotted).
 */
export const readConfigFile = (
  path: string,
  readFile: ReadFile,
  declarations: readonly AnyDeclaration[],
): Map<string, string> => {
  const doc = readYaml(path, readFile);
  const flags = declarations.map((d) => d.flag);
  const known = new Set(flags);
  const secrets = secretKeys(declarations);
  // Every beginning of a setting's name ("collect", "web.config"): anything else is refused at once.
  const branches = new Set(
    flags.flatMap((flag) => flag.split(".").map((_, i, parts) => parts.slice(0, i + 1).join("."))),
  );
  const fail = (problem: string): never => {
    throw new ConfigError("--config.file", `${problem} in ${path}`);
  };
  const unknown = (key: string): never => {
    const last = key.slice(key.lastIndexOf(".") + 1);
    const secret = known.has(key) ? undefined : secrets.get(loose(last));
    // Its value is not echoed: it is the secret.
    if (secret !== undefined) throw new ConfigError(`${quote(key, KEY_QUOTE_MAX)} in ${path}`, secret);
    return fail(`unknown setting ${quote(key, KEY_QUOTE_MAX)}`);
  };
  const out = new Map<string, string>();
  const walk = (node: unknown, prefix: string): void => {
    if (node === null || node === undefined) return;
    if (prefix !== "" && !branches.has(prefix)) unknown(prefix);
    if (typeof node === "object" && !Array.isArray(node)) {
      for (const [key, value] of Object.entries(node)) walk(value, prefix ? `${prefix}.${key}` : key);
      return;
    }
    if (prefix === "") fail("not a mapping of settings (key: value)");
    if (!known.has(prefix)) unknown(prefix);
    // The same setting nested in one place and dotted in another: which one was meant is not known.
    if (out.has(prefix)) fail(`${quote(prefix, KEY_QUOTE_MAX)} given twice (nested and dotted)`);
    out.set(prefix, Array.isArray(node) ? node.map(String).join(",") : String(node));
  };
  walk(doc, "");
  return out;
};

/**
 * yaml's message without its excerpt of the file (several lines) or the trailing colon before it:
 * `line 3, column 5: Flow map must end with a }`.
 */
const yamlProblem = (error: YAMLError): string => {
  const first = error.message.split("\n")[0] ?? "";
  const problem = first.replace(/ at line \d+, column \d+:?\s*$/, "").replace(/:\s*$/, "");
  const at = error.linePos?.[0];
  return at === undefined ? problem : `line ${at.line}, column ${at.col}: ${problem}`;
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
    fail((err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err)));
  }
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const error = doc.errors[0];
  if (error !== undefined) fail(yamlProblem(error));
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          const at = isScalar(pair.key) && pair.key.range ? lineOf(text, pair.key.range[0]) : "";
          fail(`${at}duplicate key ${quote(String(key), KEY_QUOTE_MAX)}`);
        }
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

const lineOf = (text: string, offset: number): string => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return `line ${line}: `;
};
