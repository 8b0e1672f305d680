/**
 * The shipped Alertmanager example under amtool: the config is valid, every alert of the rules with
 * its severity reaches the intended receiver (`amtool config routes test`), and the notification
 * template renders a customer's failed profiles (`amtool template render`). Without amtool on PATH
 * these skip, unless REQUIRE_PROMETHEUS=1 (CI).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { onPath } from "../helpers/tools.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const config = join(root, "alertmanager/alertmanager.yml");
const amtool = onPath("amtool");
const required = process.env.REQUIRE_PROMETHEUS === "1";
const missing = amtool === undefined;
const skipNote = missing ? " (skipped: amtool not installed)" : "";

const amtoolRun = async (...args: string[]): Promise<string> => {
  try {
    const { stdout } = await run(amtool as string, args, { cwd: join(root, "alertmanager") });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`amtool ${args.join(" ")} failed:\n${stdout}${stderr}`);
  }
};

interface Rule {
  alert?: string;
  labels?: Record<string, string>;
}
const alerts = readdirSync(join(root, "prometheus/rules"))
  .filter((name) => name.endsWith(".yml"))
  .flatMap(
    (name) =>
      (parse(readFileSync(join(root, "prometheus/rules", name), "utf8")) as { groups: { rules: Rule[] }[] })
        .groups,
  )
  .flatMap((group) => group.rules)
  .filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);

const RECEIVER = { critical: "avepoint-pager", warning: "avepoint-ticket", info: "null" } as const;
/** Alerts about one customer carry customer_id (and are grouped by it). */
const customerLevel = (name: string): boolean =>
  /^AvePoint(Scan(Failed|FinishedWithException)|DailyReportStale|RemovedObjectsSurge|Customer)/.test(name) &&
  name !== "AvePointScanFailedFleetWide";

describe("amtool", () => {
  it("amtool is on PATH wherever REQUIRE_PROMETHEUS=1 asks for it", () => {
    if (required) expect(missing, "REQUIRE_PROMETHEUS=1 but amtool is not on PATH").toBe(false);
  });

  it.skipIf(missing)(`amtool check-config alertmanager/alertmanager.yml${skipNote}`, async () => {
    const output = await amtoolRun("check-config", config);
    expect(output).toContain("SUCCESS");
    expect(output).toContain("3 inhibit rules");
  });

  it.skipIf(missing)(`amtool check-config refuses a broken copy${skipNote}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "avepoint-am-"));
    try {
      const broken = join(dir, "alertmanager.yml");
      writeFileSync(
        broken,
        readFileSync(config, "utf8").replace("receiver: avepoint-pager", "receiver: nobody"),
      );
      await expect(amtoolRun("check-config", broken)).rejects.toThrow(/nobody/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("there are alerts of every severity to route", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const rule of alerts) expect(Object.keys(RECEIVER)).toContain(rule.labels?.severity);
  });

  for (const rule of alerts) {
    const severity = rule.labels?.severity as keyof typeof RECEIVER;
    const labels = [
      `alertname=${rule.alert}`,
      `severity=${severity}`,
      "job=avepoint",
      "instance=exporter:10123",
      ...(customerLevel(rule.alert) ? ["customer_id=c1", "profile_id=p1"] : []),
    ];
    it.skipIf(missing)(`${rule.alert} (${severity}) reaches ${RECEIVER[severity]}${skipNote}`, async () => {
      const output = await amtoolRun(
        "config",
        "routes",
        "test",
        `--config.file=${config}`,
        `--verify.receivers=${RECEIVER[severity]}`,
        ...labels,
      );
      expect(output.trim()).toBe(RECEIVER[severity]);
    });
  }

  const others: [string[], string][] = [
    [["alertname=AvePointSomethingNew", "severity=info"], "null"],
    [["alertname=AvePointSomethingNew", "severity=warning"], "avepoint-ticket"],
    [["alertname=NotOurs", "severity=critical"], "null"],
  ];
  for (const [labels, receiver] of others)
    it.skipIf(missing)(`routes ${labels.join(" ")} to ${receiver}${skipNote}`, async () => {
      const output = await amtoolRun("config", "routes", "test", `--config.file=${config}`, ...labels);
      expect(output.trim()).toBe(receiver);
    });

  describe("the notification template", () => {
    const dir = mkdtempSync(join(tmpdir(), "avepoint-am-template-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const alert = (profile: string, status: string, state: string) => ({
      status,
      labels: {
        alertname: "AvePointScanFailed",
        severity: "critical",
        customer_id: "c-1",
        customer_name: 'Müller & Söhne "GmbH"',
        profile_id: `id-${profile}`,
        profile_name: profile,
        tenant_domain: "mueller.onmicrosoft.com",
        state,
      },
      annotations: {
        summary: `AvePoint scan failed: Müller & Söhne "GmbH" / ${profile}`,
        description: `The last scan of profile "${profile}" ended in state ${state}.`,
        last_report: "2026-12-07 06:00:00 +0000 UTC",
        runbook_url: "https://runbooks.example.invalid/avepoint-exporter/RUNBOOK.md#avepointscanfailed",
      },
    });
    const data = {
      receiver: "avepoint-pager",
      status: "firing",
      alerts: [
        alert("All mailboxes", "firing", "failed"),
        alert("Teams", "firing", "error_start"),
        alert("Sites", "resolved", "failed"),
      ],
      groupLabels: { customer_id: "c-1" },
      commonLabels: {
        alertname: "AvePointScanFailed",
        severity: "critical",
        customer_id: "c-1",
        customer_name: 'Müller & Söhne "GmbH"',
      },
      commonAnnotations: {},
      externalURL: "http://alertmanager.example.invalid",
    };

    it.skipIf(missing)(`amtool template render lists the customer's failed profiles${skipNote}`, async () => {
      const file = join(dir, "data.json");
      writeFileSync(file, JSON.stringify(data));
      const text = await amtoolRun(
        "template",
        "render",
        `--template.glob=${join(root, "alertmanager/templates/*.tmpl")}`,
        `--template.data=${file}`,
        '--template.text={{ template "avepoint.text" . }}',
      );
      expect(text).toContain('[FIRING:2] Müller & Söhne "GmbH": AvePointScanFailed');
      expect(text).toContain('Customer: Müller & Söhne "GmbH" (c-1)');
      expect(text).toContain(
        '- AvePointScanFailed: profile "All mailboxes", tenant mueller.onmicrosoft.com, state failed',
      );
      expect(text).toContain(
        '- AvePointScanFailed: profile "Teams", tenant mueller.onmicrosoft.com, state error_start',
      );
      expect(text).toContain("Latest report: 2026-12-07 06:00:00 +0000 UTC");
      expect(text).toContain(
        "Runbook: https://runbooks.example.invalid/avepoint-exporter/RUNBOOK.md#avepointscanfailed",
      );
      expect(text).toContain(
        "Dashboard: https://grafana.example.invalid/d/avepoint-fleet/avepoint-fleet?var-customer=c-1",
      );
      // the resolved profile is listed apart
      expect(text.indexOf("Resolved:")).toBeGreaterThan(text.indexOf('profile "Teams"'));
      expect(text.slice(text.indexOf("Resolved:"))).toContain('profile "Sites"');
    });
  });
});

describe("the AlertmanagerConfig (deploy/kubernetes/alerting/alertmanagerconfig.yaml)", () => {
  const manifest = parse(
    readFileSync(join(root, "deploy/kubernetes/alerting/alertmanagerconfig.yaml"), "utf8"),
  ) as {
    spec: { route: Record<string, unknown>; inhibitRules: unknown[]; receivers: { name: string }[] };
  };
  /**
   * The models' validator (generated from the Operator's CRD) checks types and required fields but
   * lets unknown keys through; every key used must also be a property its schema names.
   */
  const schemaSource = readFileSync(
    join(
      root,
      "node_modules/@kubernetes-models/prometheus-operator/_schemas/MonitoringCoreosComV1alpha1AlertmanagerConfig.mjs",
    ),
    "utf8",
  );
  const keysOf = (value: unknown): string[] =>
    Array.isArray(value)
      ? value.flatMap(keysOf)
      : value !== null && typeof value === "object"
        ? Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)])
        : [];
  const unknownKeys = (doc: unknown): string[] =>
    [...new Set(keysOf(doc))].filter(
      (key) => !schemaSource.includes(`"${key}"`) && !schemaSource.includes(`.${key}`),
    );

  it("validates against the Operator's schema, with no key the schema does not name", async () => {
    const { AlertmanagerConfig } =
      await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1");
    expect(() => new AlertmanagerConfig(manifest as never).validate()).not.toThrow();
    // metadata is Kubernetes' ObjectMeta (free label keys); the Operator's schema is the spec
    expect(unknownKeys(manifest.spec)).toEqual([]);
    const misspelt = structuredClone(manifest);
    (misspelt.spec.route as Record<string, unknown>).groupBY = ["customer_id"];
    expect(unknownKeys(misspelt.spec)).toEqual(["groupBY"]);
    const wrongType = structuredClone(manifest);
    (wrongType.spec as Record<string, unknown>).inhibitRules = "none";
    expect(() => new AlertmanagerConfig(wrongType as never).validate()).toThrow();
  });

  it("has the example's receivers, inhibitions and per-customer grouping", () => {
    const example = parse(readFileSync(config, "utf8")) as {
      receivers: { name: string }[];
      inhibit_rules: { equal: string[] }[];
    };
    expect(manifest.spec.receivers.map((r) => r.name)).toEqual(example.receivers.map((r) => r.name));
    expect((manifest.spec.inhibitRules as { equal: string[] }[]).map((r) => r.equal)).toEqual(
      example.inhibit_rules.map((r) => r.equal),
    );
    expect(JSON.stringify(manifest.spec.route)).toContain('"groupBy":["customer_id"]');
  });
});

describe("alert labels and links in Kubernetes", () => {
  it("the ServiceMonitor relabels instance to the pod name, so a rescheduled pod keeps its alerts", () => {
    const monitor = parse(readFileSync(join(root, "deploy/kubernetes/servicemonitor.yaml"), "utf8")) as {
      spec: { endpoints: { relabelings?: Record<string, unknown>[] }[] };
    };
    for (const endpoint of monitor.spec.endpoints)
      expect(endpoint.relabelings).toContainEqual({
        sourceLabels: ["__meta_kubernetes_pod_name"],
        targetLabel: "instance",
        action: "replace",
      });
  });

  it("scripts/prometheus-rule.js --runbook-url sets the base of every runbook_url, and refuses a non-URL", async () => {
    const { renderPrometheusRule, RUNBOOK_PLACEHOLDER } = (await import(
      join(root, "scripts/prometheus-rule.js")
    )) as {
      renderPrometheusRule: (dir: string, url?: string) => string;
      RUNBOOK_PLACEHOLDER: string;
    };
    const base = "https://git.example.com/ops/avepoint-exporter/-/blob/main/prometheus/RUNBOOK.md";
    const rule = parse(renderPrometheusRule(join(root, "prometheus/rules"), base)) as {
      spec: { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] };
    };
    const links = rule.spec.groups
      .flatMap((group) => group.rules)
      .filter((r) => r.alert !== undefined)
      .map((r) => [r.alert, r.annotations?.runbook_url]);
    expect(links.length).toBe(alerts.length);
    for (const [alert, url] of links) expect(url).toBe(`${base}#${(alert as string).toLowerCase()}`);
    // the committed PrometheusRule keeps the documented placeholder
    expect(readFileSync(join(root, "deploy/kubernetes/prometheusrule.yaml"), "utf8")).toContain(
      `${RUNBOOK_PLACEHOLDER}#avepointscanfailed`,
    );
    expect(() => renderPrometheusRule(join(root, "prometheus/rules"), "not a url")).toThrow(/--runbook-url/);
  });
});
