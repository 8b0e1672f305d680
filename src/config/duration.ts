/** Prometheus-style durations ("90s", "5m", "1h30m", "250ms") or plain seconds ("30", 1.5). */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** @returns seconds, or null when the text is not a duration. */
export const parseDurationSeconds = (text: string): number | null => {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return null;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * (UNIT_SECONDS[match[2] ?? "s"] ?? 1);
  }
  return total;
};

/** The longest delay setTimeout can hold (2^31-1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_SECONDS = (2 ** 31 - 1) / 1000;

/** Seconds as the largest units that divide them: 90 → "1m30s", 0.25 → "250ms", 86400 → "1d". */
export const formatDuration = (seconds: number): string => {
  if (seconds === 0) return "0s";
  let ms = Math.round(seconds * 1000);
  let out = "";
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms >= size) {
      out += `${Math.floor(ms / size)}${unit}`;
      ms %= size;
    }
  }
  return ms > 0 ? `${out}${ms}ms` : out;
};
