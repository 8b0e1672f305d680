#!/usr/bin/env node
/**
 * Writes a kustomize overlay of deploy/kubernetes for one deployment: where the image was pushed, the
 * namespace, the AvePoint region and the number of shards — each given once, here. The number of
 * shards becomes both the StatefulSet's replicas and SHARD_TOTAL, which must be equal.
 *
 *   node scripts/kubernetes-overlay.js --out overlays/production \
 *     --image registry.example.com/avepoint-exporter:0.1.0 --region us --shards 3 [--namespace avepoint]
 *
 * The gov, aos2 and fedramp environments have no regions: `--environment gov` instead of --region.
 *
 * Then `kubectl apply -k overlays/production`. Run it again to change a value; the file is meant to be
 * committed beside your other manifests.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "yaml";

const base = fileURLToPath(new URL("../deploy/kubernetes", import.meta.url));
const NAME = "avepoint-exporter";

/**
 * @typedef {{ out: string, image: string, environment: string, region: string, shards: number, namespace: string }} Overlay
 */

/**
 * Reads and checks the options.
 * @param {string[]} args
 * @returns {Overlay}
 * @throws {Error} naming the option that is missing or wrong
 */
export const overlayOptions = (args) => {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string" },
      image: { type: "string" },
      environment: { type: "string", default: "commercial" },
      region: { type: "string" },
      shards: { type: "string" },
      namespace: { type: "string", default: "avepoint" },
    },
  });
  const commercial = values.environment === "commercial";
  for (const option of ["out", "image", ...(commercial ? ["region"] : []), "shards"])
    if (!values[option]) throw new Error(`--${option} is required`);
  if (!["commercial", "gov", "aos2", "fedramp"].includes(values.environment ?? ""))
    throw new Error(`--environment: must be commercial, gov, aos2 or fedramp, got "${values.environment}"`);
  if (!commercial && values.region !== undefined)
    throw new Error(`--region: regions exist only in the commercial environment, not ${values.environment}`);
  const shards = Number(values.shards);
  if (!Number.isInteger(shards) || shards < 1 || shards > 1000)
    throw new Error(`--shards: must be a whole number from 1 to 1000, got "${values.shards}"`);
  if (commercial && !/^[a-z0-9-]+$/.test(values.region ?? ""))
    throw new Error(
      `--region: must be an AvePoint data center such as us, we or gcp-jp, got "${values.region}"`,
    );
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(values.namespace ?? ""))
    throw new Error(`--namespace: not a Kubernetes namespace name: "${values.namespace}"`);
  // registry/name:tag or registry/name@sha256:…; a port in the registry has a colon too.
  if (!/^[^\s:@]+(:[^\s/:@]+)?(\/[^\s:@]+)*(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(values.image ?? ""))
    throw new Error(`--image: must be name:tag or name@sha256:digest, got "${values.image}"`);
  return {
    out: resolve(values.out ?? ""),
    image: values.image ?? "",
    environment: values.environment ?? "commercial",
    region: values.region ?? "",
    shards,
    namespace: values.namespace ?? "",
  };
};

/** @param {string} image */
const imageEntry = (image) => {
  const at = image.indexOf("@");
  if (at >= 0) return { name: NAME, newName: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(":");
  return { name: NAME, newName: image.slice(0, colon), newTag: image.slice(colon + 1) };
};

/**
 * The overlay's kustomization.yaml.
 * @param {Overlay} overlay
 * @returns {string}
 */
export const renderOverlay = ({ out, image, environment, region, shards, namespace }) => {
  // An empty AVEPOINT_REGION counts as not given: it clears the base's region.
  const literals = [
    ...(environment === "commercial" ? [] : [`AVEPOINT_ENVIRONMENT=${environment}`]),
    `AVEPOINT_REGION=${region}`,
    `SHARD_TOTAL=${shards}`,
  ];
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace,
    resources: [relative(out, base).split("\\").join("/") || "."],
    images: [imageEntry(image)],
    replicas: [{ name: NAME, count: shards }],
    configMapGenerator: [
      {
        name: NAME,
        behavior: "merge",
        literals,
      },
    ],
  };
  return (
    `# Written by scripts/kubernetes-overlay.js: --image ${image}` +
    (environment === "commercial" ? ` --region ${region}` : ` --environment ${environment}`) +
    ` --shards ${shards} --namespace ${namespace}.\n# Run it again to change a value: the shard count is set here twice and must stay equal.\n` +
    stringify(kustomization, { lineWidth: 0 })
  );
};

const main = () => {
  try {
    const overlay = overlayOptions(process.argv.slice(2));
    mkdirSync(overlay.out, { recursive: true });
    const file = join(overlay.out, "kustomization.yaml");
    writeFileSync(file, renderOverlay(overlay));
    process.stdout.write(
      `wrote ${file}; apply it with: kubectl apply -k ${relative(process.cwd(), overlay.out) || "."}\n`,
    );
  } catch (err) {
    process.stderr.write(`kubernetes-overlay: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
