/** Pieces of the Prometheus text format (0.0.4), escaping any label text correctly. */

export const escapeLabel = (value: string): string =>
  /[\\"\n]/.test(value) ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : value;

const escapeHelp = (value: string): string => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

export const formatValue = (value: number): string => {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
};

/** `name="value",…` with every value escaped (no braces). */
export const labelText = (labels: readonly (readonly [string, string])[]): string =>
  labels.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(",");

export const familyHeader = (name: string, type: "gauge" | "counter", help: string): string =>
  `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;

/** One sample line; `labels` is pre-rendered label text (may be empty). */
export const sampleLine = (name: string, labels: string, value: number): string =>
  labels === "" ? `${name} ${formatValue(value)}\n` : `${name}{${labels}} ${formatValue(value)}\n`;
