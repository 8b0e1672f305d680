/**
 * The landing page an operator keeps open: scan health first (counts per state, every failed scan
 * with customer and profile names), then collection health and data age per customer. The page
 * refreshes its status part in place (`/?part=status`, behind the same guard as `/`), without a reload.
 * Every text from upstream is scrubbed by `redact` and HTML-escaped.
 */
import type { View } from "../collect/view.js";
import {
  formatAge,
  landingModel,
  stateText,
  toneOf,
  type CustomerRow,
  type FailedScan,
  type LandingModel,
} from "./landing-model.js";

export interface LandingOptions {
  readonly version: string;
  readonly telemetryPath: string;
  readonly flavor: string;
  readonly apiUrl: string;
  readonly view: View;
  /** Unix seconds. */
  readonly now: number;
  /** Applied to every text that came from upstream: an identity service may echo what it was sent. */
  readonly redact: (text: string) => string;
  /** Seconds between two refreshes of the status part (`/?refresh=N`); REFRESH_SECONDS by default. */
  readonly refreshSeconds?: number;
}

/** Seconds between two refreshes of the status part, unless the page is asked for another pace. */
export const REFRESH_SECONDS = 15;

/** `?refresh=N` → seconds between refreshes, whole, 1 s to 1 h; anything else the default. */
export const refreshSecondsOf = (query: string | undefined): number => {
  const seconds = Number(query);
  return /^\d{1,4}$/.test(query ?? "") && seconds >= 1 && seconds <= 3600 ? seconds : REFRESH_SECONDS;
};

/** Rows shown at most per table; the ones that need attention come first, so they are never cut. */
const MAX_ROWS = 500;

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/**
 * Bidirectional and other control characters shown as `[U+202E]`: a right-to-left override in a
 * customer's name must not reorder (and spoof) the rest of its cell.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
export const showControls = (text: string): string =>
  text.replace(CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);

const time = (seconds: number | null): string =>
  seconds === null ? "never" : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

const COLLECTION_TEXT: Record<CustomerRow["state"], string> = {
  failed: "failed",
  pending: "not yet reached",
  ok: "ok",
};

const table = (head: readonly string[], rows: readonly string[], total: number, what: string): string =>
  `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>` +
  (total > rows.length ? `<p class="more">${total - rows.length} more ${what} not shown.</p>` : "");

/** What the last-scan states mean for alerting (prometheus/rules/avepoint-alerts.yml). */
const STATES_EXPLAINED =
  '<p class="note">Alerted on: <em>failed</em> and <em>failed to start</em> (critical), <em>finished with exception</em> ' +
  "(warning), and a daily report older than 26 hours (warning). <em>none</em>: the profile has never been scanned; " +
  "the other states are not alerted on.</p>";

/** Renders the status part: what `/?part=status` answers and the page refreshes in place. */
export const renderLandingStatus = (options: LandingOptions): string => {
  const { view } = options;
  const text = (value: string): string => escapeHtml(showControls(options.redact(value)));
  /** An ID cut to its first 8 characters, the whole of it on hover (and in the page, for search). */
  const shortId = (id: string): string => {
    const safe = text(id);
    return id.length <= 12
      ? `<code>${safe}</code>`
      : `<code class="id" title="${safe}">${text(id.slice(0, 8))}…</code>`;
  };
  const model: LandingModel = landingModel(view, options.now);

  const counts =
    model.stateCounts.length === 0
      ? `<p>No scan profiles collected yet.</p>`
      : `<ul class="counts">${model.stateCounts
          .map(
            ({ state, count }) =>
              `<li class="${toneOf(state)}" data-state="${state}"><strong>${count}</strong> ${stateText(state)}</li>`,
          )
          .join("")}</ul>`;
  const failedRow = (f: FailedScan): string =>
    `<tr class="bad"><td>${text(f.customerName)}</td><td>${text(f.profileName)}</td>` +
    `<td class="nw">${stateText(f.state)}</td><td>${text(f.tenantDomain)}</td>` +
    `<td class="nw">${time(f.reportedAt)}${f.stale ? ' <span class="note">(last known)</span>' : ""}</td>` +
    `<td>${shortId(f.customerId)}</td><td>${shortId(f.profileId)}</td></tr>`;
  const failed =
    model.failedScans.length === 0
      ? `<p class="good">No failed scans among ${model.profiles} scan profiles.</p>`
      : `<h3>Failed scans: ${model.failedScans.length} of ${model.profiles} scan profiles</h3>` +
        table(
          ["Customer", "Scan profile", "State", "Tenant", "Daily report", "Customer ID", "Profile ID"],
          model.failedScans.slice(0, MAX_ROWS).map(failedRow),
          model.failedScans.length,
          "failed scans",
        );

  const { round, listing } = view;
  const progress = round.running
    ? `Collection round running: ${round.done} of ${round.customers} customers attempted${listing === null ? " (listing customers)" : ""}; the others show their previous data. `
    : "";
  const last = round.lastComplete;
  const lastRound = last
    ? `Last complete round ended ${time(last.endedAt)} after ${last.durationSeconds.toFixed(2)} s. `
    : "No complete round yet. ";
  const api =
    listing === null
      ? ""
      : `AvePoint ${listing.ok ? "reachable" : `<strong>not reachable</strong> (${escapeHtml(listing.reason)}: ${text(listing.message)})`}. `;
  const customers = model.customers;
  const summary =
    customers.length === 0 && !round.running && listing === null
      ? `<p>No collection yet: the first scrape of <a href="${escapeHtml(options.telemetryPath)}">${escapeHtml(options.telemetryPath)}</a> starts one.</p>`
      : `<p>${progress}${lastRound}${api}</p>` +
        `<p class="totals"><strong>${customers.length}</strong> customers · <strong>${model.failingCustomers}</strong> failing · ` +
        `<strong>${model.pendingCustomers}</strong> not yet reached · oldest data <strong>${formatAge(model.oldestDataAgeSeconds)}</strong></p>`;
  const customerRow = (c: CustomerRow): string =>
    `<tr class="${c.state}"><td>${text(c.name)}</td><td>${shortId(c.id)}</td><td>${c.profiles}</td>` +
    `<td>${c.failedScans || ""}</td><td class="nw">${COLLECTION_TEXT[c.state]}</td>` +
    `<td class="nw" title="${time(c.lastSuccess)}">${formatAge(c.dataAgeSeconds)}</td>` +
    `<td>${c.error ? `${escapeHtml(c.error.reason)}: ${text(c.error.message)}` : ""}</td></tr>`;

  return `<section id="scans"><h2>Scan health</h2>
${counts}
${model.stateCounts.length === 0 ? "" : STATES_EXPLAINED}
${failed}
</section>
<section id="collection"><h2>Collection health</h2>
${summary}
${
  customers.length === 0
    ? ""
    : table(
        ["Customer", "ID", "Profiles", "Failed scans", "Last collection", "Data age", "Error"],
        customers.slice(0, MAX_ROWS).map(customerRow),
        customers.length,
        "customers",
      )
}
</section>
<p class="updated">As of <time datetime="${time(options.now)}">${time(options.now)}</time>.</p>`;
};

/** Served as /static/landing.css: the page works under `Content-Security-Policy: default-src 'self'`. */
export const LANDING_CSS = `
body{font-family:system-ui,sans-serif;margin:1.5em 2em;color:#1d2430;max-width:88em}
h1{margin:0 0 .2em}h2{margin:1.2em 0 .4em;font-size:1.3em}h3{font-size:1.05em;margin:.8em 0 .4em}
table{border-collapse:collapse;width:100%;font-size:.92em}
td,th{padding:.25em .6em;border-bottom:1px solid #dde1e6;text-align:left;vertical-align:top}
th{background:#f3f4f6;white-space:nowrap}td{overflow-wrap:anywhere}td.nw{white-space:nowrap}
code.id{white-space:nowrap;cursor:help;border-bottom:1px dotted #888}
tr.bad,tr.failed{background:#fde8e8}tr.pending{color:#666}
ul.counts{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5em}
ul.counts li{padding:.3em .7em;border-radius:.4em;background:#eef0f3}
ul.counts li.bad{background:#f8c9c9}ul.counts li.warn{background:#fde9c4}ul.counts li.ok{background:#d5f0da}
.good{color:#17692b}.note,.updated,.more{color:#666}.stale{opacity:.6}
`;

/**
 * Refreshes the status part in place. A failed refresh keeps the last one and says so; the
 * browser sends the page's credentials (basic auth) again by itself.
 */
export const LANDING_JS = `
(() => {
  const status = document.getElementById("status");
  const seconds = Number(status.dataset.refresh);
  const note = document.getElementById("refresh");
  // Said only once the script runs: a policy that blocks it leaves no promise of refreshing.
  note.textContent = "Refreshes every " + seconds + " s.";
  const refresh = async () => {
    try {
      const response = await fetch(location.pathname + "?part=status", { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      status.innerHTML = await response.text();
      status.classList.remove("stale");
      note.textContent = "Refreshes every " + seconds + " s.";
    } catch (err) {
      status.classList.add("stale");
      note.textContent = "Refresh failed (" + err.message + "); showing the last answer.";
    }
  };
  setInterval(refresh, seconds * 1000);
})();
`;

/** The whole page. */
export const renderLanding = (options: LandingOptions): string => {
  const seconds = options.refreshSeconds ?? REFRESH_SECONDS;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AvePoint Exporter</title>
<noscript><meta http-equiv="refresh" content="${Math.max(seconds, 60)}"></noscript>
<link rel="stylesheet" href="/static/landing.css">
</head><body>
<h1>AvePoint Exporter</h1>
<p>Version ${escapeHtml(options.version)} · API flavor <code>${escapeHtml(options.flavor)}</code> · <code>${escapeHtml(options.apiUrl)}</code></p>
<p><a href="${escapeHtml(options.telemetryPath)}">Metrics</a> · <a href="/-/healthy">Health</a> · <a href="/-/ready">Readiness</a> · <span id="refresh"></span></p>
<div id="status" data-refresh="${seconds}">
${renderLandingStatus(options)}
</div>
<script src="/static/landing.js"></script>
</body></html>
`;
};
