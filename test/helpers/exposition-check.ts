/**
 * A strict reader of the Prometheus text format that lists what is wrong with an exposition.
 * Above all it finds duplicate series (same name, same label set), which promtool lets through and
 * which break every rule that matches on the series ("found duplicate series for the match group").
 */

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
const VALUE = /^(NaN|[+-]Inf|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ["_bucket", "_sum", "_count", "_created"],
  summary: ["_sum", "_count", "_created"],
  counter: ["_total", "_created"],
};

/** Label pairs of a sample, or a problem. */
const readLabels = (body: string): Record<string, string> | string => {
  const labels: Record<string, string> = {};
  let rest = body;
  while (rest !== "") {
    const m = LABEL.exec(rest);
    if (!m) return `unreadable labels {${body}}`;
    const [whole, name, raw] = [m[0], m[1]!, m[2]!];
    if (name in labels) return `label ${name} twice`;
    labels[name] = raw;
    rest = rest.slice(whole.length);
  }
  return labels;
};

/** Every problem found, one string each; empty for a valid exposition without duplicate series. */
export const expositionProblems = (text: string): string[] => {
  const problems: string[] = [];
  if (text !== "" && !text.endsWith("\n")) problems.push("does not end with a newline");
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const seriesSeen = new Set<string>();
  const finished = new Set<string>();
  let current: string | null = null;

  const familyOf = (name: string): string | null => {
    if (types.has(name)) return name;
    for (const [family, type] of types)
      for (const suffix of SUFFIXES[type] ?? []) if (name === family + suffix) return family;
    return null;
  };
  const enter = (family: string, line: string): void => {
    if (family === current) return;
    if (finished.has(family)) problems.push(`family ${family} is split: ${line}`);
    if (current !== null) finished.add(current);
    current = family;
  };

  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) continue; // a plain comment
      const [kind, name, rest] = [m[1]!, m[2]!, m[3] ?? ""];
      if (!NAME.test(name)) problems.push(`bad metric name: ${line}`);
      if (kind === "TYPE") {
        if (types.has(name)) problems.push(`TYPE twice for ${name}`);
        if (!TYPES.has(rest)) problems.push(`unknown type: ${line}`);
        types.set(name, rest);
      } else {
        if (helps.has(name)) problems.push(`HELP twice for ${name}`);
        helps.add(name);
      }
      enter(name, line);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) {
      problems.push(`unreadable line: ${line.slice(0, 200)}`);
      continue;
    }
    const name = m[1]!;
    const body = m[3] ?? "";
    const raw = m[4]!;
    if (!VALUE.test(raw)) problems.push(`bad value: ${line.slice(0, 200)}`);
    const labels = readLabels(body);
    if (typeof labels === "string") {
      problems.push(`${labels}: ${line.slice(0, 200)}`);
      continue;
    }
    for (const label of Object.keys(labels))
      if (!LABEL_NAME.test(label)) problems.push(`bad label name ${label}: ${line.slice(0, 200)}`);
    const family = familyOf(name);
    if (family === null) problems.push(`sample without a TYPE: ${line.slice(0, 200)}`);
    else enter(family, line);
    const key = `${name}{${Object.entries(labels)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}="${v}"`)
      .join(",")}}`;
    if (seriesSeen.has(key)) problems.push(`duplicate series: ${key.slice(0, 300)}`);
    seriesSeen.add(key);
  }
  return problems;
};

/** Number of distinct series in an exposition (comment lines not counted). */
export const seriesCount = (text: string): number =>
  text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).length;
