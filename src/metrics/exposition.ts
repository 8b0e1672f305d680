/** A small writer of the Prometheus text format (0.0.4), escaping any label text correctly. */

export type Labels = readonly (readonly [name: string, value: string])[];

const escapeLabel = (value: string): string =>
  /[\\"\n]/.test(value) ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : value;

const escapeHelp = (value: string): string => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

export const formatValue = (value: number): string => {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
};

/** Collects families in order; each family's HELP and TYPE is written once, before its samples. */
export class ExpositionWriter {
  private readonly chunks: string[] = [];

  family(name: string, type: "gauge" | "counter", help: string): FamilyWriter {
    this.chunks.push(`# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`);
    return new FamilyWriter(name, this.chunks);
  }

  toString(): string {
    return this.chunks.join("");
  }
}

export class FamilyWriter {
  constructor(
    private readonly name: string,
    private readonly chunks: string[],
  ) {}

  sample(labels: Labels, value: number): void {
    let line = this.name;
    if (labels.length > 0) {
      line += "{";
      for (let i = 0; i < labels.length; i++) {
        const [key, val] = labels[i]!;
        line += `${i === 0 ? "" : ","}${key}="${escapeLabel(val)}"`;
      }
      line += "}";
    }
    this.chunks.push(`${line} ${formatValue(value)}\n`);
  }
}
