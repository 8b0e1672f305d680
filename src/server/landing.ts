/** The landing page: version, links, and the last collection per customer with its error if any. */
import type { View } from "../collect/snapshot.js";

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

const time = (seconds: number | null): string =>
  seconds === null ? "never" : new Date(seconds * 1000).toISOString();

/** Rows shown at most; failing customers first so that they are never cut. */
const MAX_ROWS = 500;

export const renderLanding = (options: {
  version: string;
  telemetryPath: string;
  flavor: string;
  apiUrl: string;
  view: View | null;
  /** Applied to every text that came from upstream: an identity service may echo what it was sent. */
  redact: (text: string) => string;
}): string => {
  const { view } = options;
  const text = (value: string): string => escapeHtml(options.redact(value));
  const customers = view ? [...view.customers].sort((a, b) => Number(a.success) - Number(b.success)) : [];
  const rows = customers
    .slice(0, MAX_ROWS)
    .map(
      (c) =>
        `<tr class="${c.success ? "ok" : "failed"}"><td>${text(c.customer.name)}</td><td><code>${text(c.customer.id)}</code></td>` +
        `<td>${c.profiles.length}</td><td>${c.success ? "ok" : "failed"}</td><td>${time(c.lastSuccess)}</td>` +
        `<td>${c.error ? `${escapeHtml(c.error.reason)}: ${text(c.error.message)}` : ""}</td></tr>`,
    )
    .join("\n");
  const failed = customers.filter((c) => !c.success).length;
  const summary = view
    ? `<p>Last collection ${time(view.collectedAt)} in ${view.durationSeconds.toFixed(2)} s: ` +
      `AvePoint ${view.up ? "reachable" : `<strong>not reachable</strong> (${escapeHtml(view.upError?.reason ?? "")}: ${text(view.upError?.message ?? "")})`}, ` +
      `${customers.length} customers, ${failed} failing.</p>`
    : `<p>No collection yet: the first scrape of <a href="${escapeHtml(options.telemetryPath)}">${escapeHtml(options.telemetryPath)}</a> starts one.</p>`;
  const more =
    customers.length > MAX_ROWS ? `<p>${customers.length - MAX_ROWS} more customers not shown.</p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AvePoint Exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}tr.failed{background:#fde8e8}</style>
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
