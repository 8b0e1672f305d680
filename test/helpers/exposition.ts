/** Parses the Prometheus text format back into samples, undoing label escapes. */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One scrape's answer: its status, its text and its parsed samples. */
export interface Scrape {
  readonly status: number;
  readonly text: string;
  readonly samples: Sample[];
}

const unescape = (text: string): string => text.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c));

export const parseExposition = (text: string): Sample[] => {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const brace = line.indexOf("{");
    const space = line.lastIndexOf(" ");
    let name: string;
    const labels: Record<string, string> = {};
    if (brace >= 0 && brace < space) {
      name = line.slice(0, brace);
      const body = line.slice(brace + 1, line.lastIndexOf("}"));
      for (const m of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[m[1]!] = unescape(m[2]!);
    } else {
      name = line.slice(0, space);
    }
    const raw = line.slice(space + 1);
    samples.push({
      name,
      labels,
      value: raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw),
    });
  }
  return samples;
};

export const series = (
  samples: readonly Sample[],
  name: string,
  match: Record<string, string> = {},
): Sample[] =>
  samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));

export const value = (
  samples: readonly Sample[],
  name: string,
  match: Record<string, string> = {},
): number | undefined => series(samples, name, match)[0]?.value;
