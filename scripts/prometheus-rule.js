#!/usr/bin/env node
/**
 * Writes deploy/kubernetes/prometheusrule.yaml from prometheus/rules/*.yml, so that the Prometheus
 * Operator runs exactly the rules that promtool tests: the rule files are the one source, and the
 * PrometheusRule is their groups, in file order, under a Kubernetes header.
 *
 *   node scripts/prometheus-rule.js            write the file
 *   node scripts/prometheus-rule.js --check    exit 1 if the committed file differs (stale)
 *
 * --rules DIR and --out FILE point it elsewhere (the tests use them). --runbook-url URL replaces the
 * placeholder base of every runbook_url annotation (RUNBOOK_PLACEHOLDER) with where your copy of
 * prometheus/RUNBOOK.md is served, e.g.
 *   node scripts/prometheus-rule.js --runbook-url https://git.example.com/ops/avepoint-exporter/-/blob/main/prometheus/RUNBOOK.md \
 *     --out overlays/prod/prometheusrule.yaml
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";

const root = fileURLToPath(new URL("../", import.meta.url));

/** The base of runbook_url in prometheus/rules: a documented placeholder. */
export const RUNBOOK_PLACEHOLDER = "https://runbooks.example.invalid/avepoint-exporter/RUNBOOK.md";

/**
 * The PrometheusRule for every `*.yml` in `rulesDir`, as YAML text, runbook links based at `runbookUrl`.
 * @param {string} rulesDir
 * @param {string} [runbookUrl]
 * @returns {string}
 * @throws Error when a rule file has no groups, or runbookUrl is not an http(s) URL.
 */
export const renderPrometheusRule = (rulesDir, runbookUrl = RUNBOOK_PLACEHOLDER) => {
  if (!/^https?:\/\/[^\s#]+$/.test(runbookUrl))
    throw new Error(`--runbook-url: not an http(s) URL without a fragment: ${runbookUrl}`);
  const files = readdirSync(rulesDir)
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .sort();
  const groups = files.flatMap((name) => {
    const doc = parse(readFileSync(join(rulesDir, name), "utf8"));
    if (!doc || !Array.isArray(doc.groups)) throw new Error(`${name}: no "groups" list`);
    return doc.groups;
  });
  for (const group of groups)
    for (const rule of group.rules ?? []) {
      const url = rule.annotations?.runbook_url;
      if (typeof url === "string" && url.startsWith(`${RUNBOOK_PLACEHOLDER}#`))
        rule.annotations.runbook_url = runbookUrl + url.slice(RUNBOOK_PLACEHOLDER.length);
    }
  const source = relative(root, rulesDir).split("\\").join("/") || ".";
  const rule = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "avepoint-exporter",
      labels: {
        "app.kubernetes.io/name": "avepoint-exporter",
        "app.kubernetes.io/component": "alerting",
      },
    },
    spec: { groups },
  };
  return (
    `# Generated from ${source}/*.yml by scripts/prometheus-rule.js: do not edit.\n` +
    `# Change the rule files and run \`npm run generate:deploy\`; a test fails while this file is stale.\n` +
    stringify(rule, { lineWidth: 0, blockQuote: "literal" })
  );
};

const main = () => {
  const { values } = parseArgs({
    options: {
      check: { type: "boolean", default: false },
      rules: { type: "string", default: join(root, "prometheus/rules") },
      out: { type: "string", default: join(root, "deploy/kubernetes/prometheusrule.yaml") },
      "runbook-url": { type: "string", default: RUNBOOK_PLACEHOLDER },
    },
  });
  const text = renderPrometheusRule(values.rules, values["runbook-url"]);
  if (!values.check) {
    writeFileSync(values.out, text);
    return;
  }
  let current = "";
  try {
    current = readFileSync(values.out, "utf8");
  } catch {
    // A missing file is stale too.
  }
  if (current !== text) {
    process.stderr.write(`${values.out} is stale: run \`npm run generate:deploy\`\n`);
    process.exitCode = 1;
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
