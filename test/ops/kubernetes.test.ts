import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const file = fileURLToPath(new URL("../../deploy/kubernetes/statefulset.yaml", import.meta.url));

// Manifests are free-form YAML; the test reads them as loosely as kubectl would.
/* eslint-disable @typescript-eslint/no-explicit-any */
describe("Kubernetes manifests", () => {
  const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as Record<string, any>);
  const statefulSet = docs.find((d) => d.kind === "StatefulSet")!;
  const container = statefulSet.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));

  it("shards by pod ordinal with SHARD_TOTAL equal to the replicas", () => {
    expect(env.SHARD_TOTAL.value).toBe(String(statefulSet.spec.replicas));
    expect(env.SHARD_INDEX.valueFrom.fieldRef.fieldPath).toBe(
      "metadata.labels['apps.kubernetes.io/pod-index']",
    );
  });

  it("keeps the secret in a file, probes health and readiness, runs as non-root", () => {
    expect(env.AVEPOINT_CLIENT_SECRET_FILE.value).toMatch(/^\/run\/secrets\//);
    expect(env.AVEPOINT_CLIENT_SECRET).toBeUndefined();
    expect(container.readinessProbe.httpGet.path).toBe("/-/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/-/healthy");
    expect(statefulSet.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.ports[0].containerPort).toBe(10123);
  });

  it("has a headless service selecting the pods", () => {
    const service = docs.find((d) => d.kind === "Service")!;
    expect(service.spec.clusterIP).toBe("None");
    expect(service.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
  });
});
