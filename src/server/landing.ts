/** The landing page: version, links, and the last collection per customer with its error if any. */
import type { CustomerView, View } from "../collect/view.js";

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

const time = (seconds: number | null): string =>
  seconds === null ? "never" : new Date(seconds * 1000).toISOString();

type State = "failed" | "pending" | "ok";
const stateOf = (c: CustomerView): State => (c.last === null ? "pending" : c.last.ok ? "ok" : "failed");
const STATE_TEXT: Record<State, string> = { failed: "failed", pending: "not yet reached", ok: "ok" };
const rank = (c: CustomerView): number => ({ failed: 0, pending: 1, ok: 2 })[stateOf(c)];

/** Rows shown at most; failing customers first so that they are never cut. */
const MAX_ROWS = 500;

export const renderLanding = (options: {
  version: string;
  telemetryPath: string;
  flavor: string;
  apiUrl: string;
  view: View;
  /** Applied to every text that came from upstream: an identity service may echo what it was sent. */
  redact: (text: string) => string;
}): string => {
  const { view } = options;
  const text = (value: string): string => escapeHtml(options.redact(value));
  const customers = [...view.customers].sort((a, b) => rank(a) - rank(b));
  const rows = customers
    .slice(0, MAX_ROWS)
    .map(
      (c) =>
        `<tr class="${stateOf(c)}"><td>${text(c.customer.name)}</td><td><code>${text(c.customer.id)}</code></td>` +
        `<td>${c.profiles.length}</td><td>${STATE_TEXT[stateOf(c)]}</td><td>${time(c.lastSuccess)}</td>` +
        `<td>${c.last?.ok === false ? `${escapeHtml(c.last.reason)}: ${text(c.last.message)}` : ""}</td></tr>`,
    )
    .join("\n");
  const failed = customers.filter((c) => c.last?.ok === false).length;
  const { round, listing } = view;
  const last = round.lastComplete;
  const progress = round.running
    ? `Collection round running: ${round.done} of ${round.customers} customers attempted${listing === null ? " (listing customers)" : ""}; the others show their previous data. `
    : "";
  const lastRound = last
    ? `Last complete round ended ${time(last.endedAt)} after ${last.durationSeconds.toFixed(2)} s. `
    : "No complete round yet. ";
  const api =
    listing === null
      ? ""
      : `AvePoint ${listing.ok ? "reachable" : `<strong>not reachable</strong> (${escapeHtml(listing.reason)}: ${text(listing.message)})`}, `;
  const summary =
    customers.length === 0 && !round.running && listing === null
      ? `<p>No collection yet: the first scrape of <a href="${escapeHtml(options.telemetryPath)}">${escapeHtml(options.telemetryPath)}</a> starts one.</p>`
      : `<p>${progress}${lastRound}${api}${customers.length} customers, ${failed} failing.</p>`;
  const more =
    customers.length > MAX_ROWS ? `<p>${customers.length - MAX_ROWS} more customers not shown.</p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AvePoint Exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}tr.failed{background:#fde8e8}tr.pending{color:#666}</style>
</head><body>
<h1>AvePoint Exporter</h1>
<p>Version ${escapeHtml(options.version)} · API flavor <code>${escapeHtml(options.flavor)}</code> · <code>${escapeHtml(options.apiUrl)}</code></p>
<p><a href="${escapeHtml(options.telemetryPath)}">Metrics</a> · <a href="/-/healthy">Health</a> · <a href="/-/ready">Readiness</a></p>
${summary}
<table><thead><tr><th>Customer</th><th>ID</th><th>Profiles</th><th>Last collection</th><th>Last success</th><th>Error</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${more}
</body></html>
`;
};
