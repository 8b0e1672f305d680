/**
 * `npm run demo` (the built dist/demo/demo.js): the banner once the exporter listens, one
 * listening line, a fleet that shows failure, a taken port named with how to choose another.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const DEMO = join(import.meta.dirname, "../../dist/demo/demo.js");

interface Demo {
  readonly child: ChildProcess;
  /** stdout and stderr together, in arrival order. */
  output: () => string;
  /** Resolves once the output matches. */
  waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

const startDemo = (port: string): Demo => {
  const child = spawn(process.execPath, [DEMO], {
    env: { PATH: process.env.PATH ?? "", DEMO_PORT: port },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let text = "";
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(text);
        if (match) {
          waiters.delete(check);
          resolve(match);
        }
      };
      waiters.add(check);
      void exited.then(() => {
        if (waiters.delete(check)) reject(new Error(`demo exited without ${pattern}:\n${text}`));
      });
      check();
    });
  return { child, output: () => text, waitFor, exited };
};

const occupy = async (): Promise<Server> => {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
};

describe("npm run demo", () => {
  it("prints its banner once the exporter listens, and serves a fleet with failed scans and a failing customer", async () => {
    const demo = startDemo("0");
    const [, url] = await demo.waitFor(/Landing page +(http:\/\/127\.0\.0\.1:\d+)\//);
    const text = demo.output();
    // The exporter's own line first, then the banner; Fastify's duplicate is not shown.
    expect(text.indexOf('msg="avepoint-exporter listening"')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('msg="avepoint-exporter listening"')).toBeLessThan(text.indexOf("Landing page"));
    expect(text.match(/listening/gi)).toHaveLength(1);
    expect(text).toContain(`Metrics       ${url}/metrics`);
    expect(text).toMatch(/Failures +3 failed scans; customer "[^"]+" refuses access/);
    expect(text).toContain("DEMO_PORT=<port> npm run demo");

    await demo.waitFor(/msg="collection round finished".* failed=1 /);
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^avepoint_up 1$/m);
    expect(metrics.match(/^avepoint_customer_collect_success\{[^}]*\} 0$/gm)).toHaveLength(1);
    expect(metrics.match(/^avepoint_customer_collect_success\{[^}]*\} 1$/gm)).toHaveLength(24);
    expect(metrics.match(/^avepoint_scan_profile_info\{/gm)).toHaveLength(96);
    expect(
      metrics.match(/^avepoint_scan_profile_last_scan_state\{[^}]*state="(failed|error_start)"\} 1$/gm),
    ).toHaveLength(3);
    const page = await fetch(`${url}/`).then((r) => r.text());
    const [, name] = /customer "([^"]+)" refuses access/.exec(text) ?? [];
    expect(page).toContain(name);
    // What the states mean: which are alerted on, and "none".
    expect(page).toMatch(/Alerted on: <em>failed<\/em> and <em>failed to start<\/em> \(critical\)/);
    expect(page).toContain("<em>none</em>: the profile has never been scanned");

    demo.child.kill("SIGINT");
    expect(await demo.exited).toBe(0);
  });

  it("names a taken port and how to choose another, before starting anything", async () => {
    const server = await occupy();
    try {
      const { port } = server.address() as { port: number };
      const demo = startDemo(String(port));
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toBe(
        `demo: port ${port} is taken; choose another: DEMO_PORT=10123 npm run demo\n`,
      );
    } finally {
      server.close();
    }
  });

  it("refuses a DEMO_PORT that is no port, in one line", async () => {
    const demo = startDemo("80a");
    expect(await demo.exited).toBe(2);
    expect(demo.output()).toBe('demo: DEMO_PORT must be a port number from 0 to 65535, got "80a"\n');
  });
});
