/**
 * deploy/kubernetes: a kustomize base whose every object validates against the Kubernetes and
 * prometheus-operator schemas (the `kubernetes-models` packages), whose pods meet Pod Security
 * "restricted", and whose PrometheusRule is the rule files, regenerated.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  PrometheusRule,
  ServiceMonitor,
} from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { StatefulSet } from "kubernetes-models/apps/v1";
import { Service, ServiceAccount } from "kubernetes-models/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { z } from "zod";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = join(root, "deploy/kubernetes");
const read = (path: string): string => readFileSync(join(root, path), "utf8");

/** A model class per apiVersion/kind: constructing one and calling validate() checks the schema. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/StatefulSet": StatefulSet,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule,
};

// Manifests are free-form YAML; the test reads them as loosely as kubectl would.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Manifest = Record<string, any>;

const kustomization = parse(read("deploy/kubernetes/kustomization.yaml")) as {
  apiVersion: string;
  kind: string;
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
};
const manifests: { file: string; doc: Manifest }[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => ({ file, doc: d.toJS() as Manifest })),
);
const only = (kind: string): Manifest => {
  const found = manifests.filter(({ doc }) => doc.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!.doc;
};

describe("the kustomize base", () => {
  it("is a Kustomization listing every manifest of the folder, each once", () => {
    expect(kustomization.apiVersion).toBe("kustomize.config.k8s.io/v1beta1");
    expect(kustomization.kind).toBe("Kustomization");
    const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name) && name !== "kustomization.yaml");
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it.each(manifests.map(({ file, doc }) => [`${file}: ${doc.kind}`, doc] as const))(
    "%s validates against its schema",
    (_name, doc) => {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `no schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new Model!(doc as never).validate()).not.toThrow();
    },
  );

  it("catches a broken manifest (the validation is real)", () => {
    const broken = structuredClone(only("StatefulSet"));
    broken.spec.replicas = "three";
    delete broken.spec.template.spec.containers;
    expect(() => new StatefulSet(broken as never).validate()).toThrow(/replicas|containers/);
    const monitor = structuredClone(only("ServiceMonitor"));
    monitor.spec.endpoints = "metrics";
    expect(() => new ServiceMonitor(monitor as never).validate()).toThrow(/endpoints/);
  });

  it("names one image, pinned by kustomize `images:` to the package version (no :latest)", () => {
    const container = only("StatefulSet").spec.template.spec.containers[0];
    expect(container.image).toBe("avepoint-exporter");
    const { version } = JSON.parse(read("package.json")) as { version: string };
    expect(kustomization.images).toEqual([{ name: "avepoint-exporter", newTag: version }]);
    expect(manifests.map(({ doc }) => JSON.stringify(doc)).join("\n")).not.toContain(":latest");
  });

  it("gives every object the app label", () => {
    for (const { doc } of manifests)
      expect(doc.metadata.labels?.["app.kubernetes.io/name"], doc.kind).toBe("avepoint-exporter");
  });
});

describe("the StatefulSet", () => {
  const statefulSet = only("StatefulSet");
  const pod = statefulSet.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));

  it("shards by pod ordinal; replicas, SHARD_TOTAL and the region are set once, in kustomization.yaml", () => {
    const { replicas, configMapGenerator } = parse(read("deploy/kubernetes/kustomization.yaml")) as {
      replicas: { name: string; count: number }[];
      configMapGenerator: { name: string; literals: string[] }[];
    };
    expect(replicas).toEqual([{ name: statefulSet.metadata.name, count: expect.any(Number) }]);
    const [generated, ...others] = configMapGenerator;
    expect(others).toEqual([]);
    const literals = Object.fromEntries(generated!.literals.map((l) => l.split("=") as [string, string]));
    expect(literals).toEqual({
      AVEPOINT_REGION: expect.stringMatching(/^[a-z0-9-]+$/),
      SHARD_TOTAL: String(replicas[0]!.count),
    });
    expect(container.envFrom).toEqual([{ configMapRef: { name: generated!.name } }]);
    // Nowhere else: not in the StatefulSet's replicas, its env or its args.
    expect(statefulSet.spec.replicas).toBeUndefined();
    expect(env.SHARD_TOTAL).toBeUndefined();
    expect(env.AVEPOINT_REGION).toBeUndefined();
    expect(container.args.join(" ")).not.toMatch(/region|shard/);
    expect(env.SHARD_INDEX.valueFrom.fieldRef.fieldPath).toBe(
      "metadata.labels['apps.kubernetes.io/pod-index']",
    );
  });

  it("keeps the secret in a file and probes health and readiness", () => {
    expect(env.AVEPOINT_CLIENT_SECRET_FILE.value).toMatch(/^\/run\/secrets\//);
    expect(env.AVEPOINT_CLIENT_SECRET).toBeUndefined();
    expect(container.readinessProbe.httpGet.path).toBe("/-/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/-/healthy");
    expect(container.ports[0]).toMatchObject({ name: "metrics", containerPort: 10123 });
  });

  /** The Pod Security Standard "restricted" (and "baseline" under it), as the admission controller checks it. */
  const restrictedViolations = (spec: Manifest): string[] => {
    const problems: string[] = [];
    const podContext = spec.securityContext ?? {};
    for (const key of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[key]) problems.push(key);
    const allowedVolumes = [
      "configMap",
      "csi",
      "downwardAPI",
      "emptyDir",
      "ephemeral",
      "persistentVolumeClaim",
      "projected",
      "secret",
    ];
    for (const volume of spec.volumes ?? [])
      for (const key of Object.keys(volume))
        if (key !== "name" && !allowedVolumes.includes(key)) problems.push(`volume ${volume.name}: ${key}`);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const context = c.securityContext ?? {};
      const name = `container ${c.name}`;
      if (context.privileged) problems.push(`${name}: privileged`);
      if (context.allowPrivilegeEscalation !== false) problems.push(`${name}: allowPrivilegeEscalation`);
      if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${name}: runAsNonRoot`);
      if ((context.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${name}: runAsUser 0`);
      const seccomp = (context.seccompProfile ?? podContext.seccompProfile)?.type;
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${name}: seccompProfile`);
      if (!(context.capabilities?.drop ?? []).includes("ALL"))
        problems.push(`${name}: capabilities.drop ALL`);
      const added = (context.capabilities?.add ?? []).filter((cap: string) => cap !== "NET_BIND_SERVICE");
      if (added.length > 0) problems.push(`${name}: capabilities.add ${added.join(",")}`);
      for (const port of c.ports ?? []) if (port.hostPort) problems.push(`${name}: hostPort`);
    }
    return problems;
  };

  it('meets Pod Security "restricted"', () => {
    expect(restrictedViolations(pod)).toEqual([]);
    expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
  });

  it("finds a pod that breaks it (the check is real)", () => {
    const loose = structuredClone(pod);
    delete loose.securityContext.seccompProfile;
    delete loose.containers[0].securityContext;
    loose.volumes.push({ name: "host", hostPath: { path: "/" } });
    expect(restrictedViolations(loose)).toEqual([
      "volume host: hostPath",
      "container exporter: allowPrivilegeEscalation",
      "container exporter: seccompProfile",
      "container exporter: capabilities.drop ALL",
    ]);
  });

  it("keeps the state on a volume claim per shard, writable by the non-root user", () => {
    const flag = container.args.find((arg: string) => arg.startsWith("--storage.path="));
    expect(flag).toBeDefined();
    const path = flag.slice("--storage.path=".length);
    const mount = container.volumeMounts.find((m: Manifest) => m.mountPath === path);
    expect(mount).toBeDefined();
    expect(mount.readOnly).not.toBe(true);
    const [claim, ...more] = statefulSet.spec.volumeClaimTemplates;
    expect(more).toEqual([]);
    expect(claim.metadata.name).toBe(mount.name);
    expect(claim.spec.accessModes).toEqual(["ReadWriteOnce"]);
    // Not also a pod volume: the claim template is the volume.
    expect(pod.volumes.map((v: Manifest) => v.name)).not.toContain(mount.name);
    expect(pod.securityContext.fsGroup).toBe(pod.securityContext.runAsGroup);
  });

  it("runs on a read-only root file system without a service-account token", () => {
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    const account = only("ServiceAccount");
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(account.automountServiceAccountToken).toBe(false);
  });
});

describe("Service, PodDisruptionBudget and NetworkPolicy", () => {
  const statefulSet = only("StatefulSet");
  const podLabels = statefulSet.spec.template.metadata.labels;

  it("a headless Service selects the pods on the metrics port", () => {
    const service = only("Service");
    expect(service.spec.clusterIP).toBe("None");
    expect(service.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
    expect(service.metadata.name).toBe(statefulSet.spec.serviceName);
    expect(service.spec.ports).toEqual([expect.objectContaining({ name: "metrics", targetPort: "metrics" })]);
  });

  it("the PodDisruptionBudget lets one shard go at a time", () => {
    const budget = only("PodDisruptionBudget");
    expect(budget.spec.selector.matchLabels).toEqual(podLabels);
    expect(budget.spec.maxUnavailable).toBe(1);
  });

  it("the NetworkPolicy lets in only the monitoring namespace, on the metrics port", () => {
    const policy = only("NetworkPolicy");
    expect(policy.spec.podSelector.matchLabels).toEqual(podLabels);
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        ports: [{ protocol: "TCP", port: "metrics" }],
      },
    ]);
  });

  it("and lets out only DNS, and HTTPS to public addresses (AvePoint)", () => {
    const [dns, https, ...more] = only("NetworkPolicy").spec.egress;
    expect(more).toEqual([]);
    expect(dns.to).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
      },
    ]);
    expect(dns.ports.map((p: Manifest) => `${p.protocol}/${p.port}`).sort()).toEqual(["TCP/53", "UDP/53"]);
    expect(https.ports).toEqual([{ protocol: "TCP", port: 443 }]);
    const blocks = https.to.map((peer: Manifest) => peer.ipBlock);
    expect(blocks.map((b: Manifest) => b.cidr)).toEqual(["0.0.0.0/0", "::/0"]);
    for (const internal of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"])
      expect(blocks[0].except).toContain(internal);
  });
});

describe("Prometheus Operator objects", () => {
  it("the ServiceMonitor scrapes the Service's metrics port, timeout below the interval", () => {
    const monitor = only("ServiceMonitor");
    const service = only("Service");
    expect(monitor.spec.selector.matchLabels).toEqual(
      expect.objectContaining({
        "app.kubernetes.io/name": service.metadata.labels["app.kubernetes.io/name"],
      }),
    );
    const [endpoint, ...more] = monitor.spec.endpoints;
    expect(more).toEqual([]);
    expect(service.spec.ports.map((p: Manifest) => p.name)).toContain(endpoint.port);
    const seconds = (d: string): number => Number(/^(\d+)s$/.exec(d)?.[1]);
    expect(seconds(endpoint.scrapeTimeout)).toBeLessThan(seconds(endpoint.interval));
  });

  it("keeps the Operator's job and the series AvePointExporterDown needs (prometheus/JOB-LABEL.md)", () => {
    expect(read("prometheus/JOB-LABEL.md")).toMatch(/no `jobLabel`, no job relabeling/);
    const monitor = only("ServiceMonitor");
    expect(monitor.spec.jobLabel).toBeUndefined();
    for (const endpoint of monitor.spec.endpoints) {
      for (const relabeling of [...(endpoint.relabelings ?? []), ...(endpoint.metricRelabelings ?? [])])
        expect(relabeling.targetLabel).not.toBe("job");
      expect(JSON.stringify(endpoint.metricRelabelings ?? [])).not.toContain("avepoint_exporter_build_info");
      // The Operator's `endpoint` target label would rename the API metrics' own `endpoint` label.
      expect(endpoint.relabelings ?? []).toContainEqual({ action: "labeldrop", regex: "endpoint" });
    }
  });

  it("the PrometheusRule holds exactly the groups of prometheus/rules/*.yml", () => {
    const rulesDir = join(root, "prometheus/rules");
    const groups = readdirSync(rulesDir)
      .filter((name) => name.endsWith(".yml"))
      .sort()
      .flatMap((name) => (parse(readFileSync(join(rulesDir, name), "utf8")) as { groups: unknown[] }).groups);
    expect(groups.length).toBeGreaterThan(0);
    expect(only("PrometheusRule").spec.groups).toEqual(groups);
  });

  /**
   * The PrometheusRule spec as the Operator's CRD (monitoring.coreos.com_prometheusrules.yaml, v0.70
   * and later) declares it, with unknown keys refused: the models package validates an older schema
   * without `keep_firing_for` and lets unknown keys through, so a misspelt field would pass it.
   */
  const DURATION =
    /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
  const duration = z.string().regex(DURATION);
  const labels = z.record(z.string(), z.string());
  const RULE = z.strictObject({
    alert: z.string().optional(),
    annotations: labels.optional(),
    expr: z.union([z.string(), z.number().int()]),
    for: duration.optional(),
    keep_firing_for: duration.min(1).optional(),
    labels: labels.optional(),
    record: z.string().optional(),
  });
  const SPEC = z.strictObject({
    groups: z.array(
      z.strictObject({
        name: z.string().min(1),
        interval: duration.optional(),
        limit: z.number().int().optional(),
        partial_response_strategy: z.string().optional(),
        query_offset: duration.optional(),
        labels: labels.optional(),
        rules: z.array(RULE),
      }),
    ),
  });

  it("uses no rule field the Operator's CRD does not know, and types keep_firing_for", () => {
    const spec = only("PrometheusRule").spec;
    expect(SPEC.safeParse(spec).error?.issues ?? []).toEqual([]);
    const rules: { alert?: string }[] = spec.groups.flatMap((g: { rules: { alert?: string }[] }) => g.rules);
    const alerts = rules.filter((r) => r.alert !== undefined);
    expect(alerts.length).toBeGreaterThan(0);
  });

  it("refuses a misspelt or mistyped rule field (the checks are real)", () => {
    const misspelt = structuredClone(only("PrometheusRule").spec);
    misspelt.groups[0].rules[0].keep_firing_fro = "10m";
    expect(JSON.stringify(SPEC.safeParse(misspelt).error?.issues)).toContain("keep_firing_fro");
    const mistyped = structuredClone(only("PrometheusRule").spec);
    mistyped.groups[0].rules[0].keep_firing_for = 600;
    expect(JSON.stringify(SPEC.safeParse(mistyped).error?.issues)).toContain("keep_firing_for");
    const badDuration = structuredClone(only("PrometheusRule").spec);
    badDuration.groups[0].rules[0].keep_firing_for = "15 minutes";
    expect(SPEC.safeParse(badDuration).success).toBe(false);
  });

  it("is not stale: regenerating it changes nothing (npm run generate:deploy)", async () => {
    await expect(
      run(process.execPath, ["scripts/prometheus-rule.js", "--check"], { cwd: root }),
    ).resolves.toEqual(expect.objectContaining({ stderr: "" }));
  });

  it("and the check fails on a PrometheusRule that differs from the rule files", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "prometheusrule-"));
    try {
      const out = join(tmp, "prometheusrule.yaml");
      writeFileSync(out, read("deploy/kubernetes/prometheusrule.yaml").replace("for: 5m", "for: 6m"));
      const stale = run(process.execPath, ["scripts/prometheus-rule.js", "--check", `--out=${out}`], {
        cwd: root,
      });
      await expect(stale).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("is stale") });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
