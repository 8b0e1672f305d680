/**
 * An exporter in this process with a --web.config.file, listening on an ephemeral loopback port, for
 * tests of what the web config does on the wire. Closed when the test finishes.
 */
import { readFileSync } from "node:fs";
import { onTestFinished } from "vitest";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";
import { createExporter, type Exporter } from "../../src/exporter.js";
import { loadWebConfig, type WebConfig, type WebReload } from "../../src/web-config/web-config.js";
import { testSimulator } from "./exporter.js";

export interface WebServer {
  readonly url: string;
  readonly web: WebConfig;
  readonly exporter: Exporter;
  /** Every re-read of the web config since the start. */
  readonly reloads: WebReload[];
}

export const serveWith = async (webConfigFile: string): Promise<WebServer> => {
  const simulator = await testSimulator({ customers: 1, profilesPerCustomer: 1 });
  const { config } = parseConfig(
    [
      `--avepoint.api-url=${simulator.apiUrl}`,
      `--avepoint.token-url=${simulator.tokenUrl}`,
      "--avepoint.client-id=demo-client",
      "--avepoint.rate-limit=2000",
      "--avepoint.adaptive-rate=false",
      `--web.config.file=${webConfigFile}`,
      "--storage.path=",
    ],
    { AVEPOINT_CLIENT_SECRET: "demo-secret" },
    (path) => readFileSync(path, "utf8"),
  ) as ParsedArgs;
  const web = await loadWebConfig(webConfigFile);
  const reloads: WebReload[] = [];
  web.onReload((result) => reloads.push(result));
  const exporter = createExporter(config, { version: "test", web, defaultMetrics: false });
  onTestFinished(() => exporter.close());
  const address = await exporter.app.listen({ host: "127.0.0.1", port: 0 });
  return { url: address.replace("http://", web.tls ? "https://" : "http://"), web, exporter, reloads };
};
