/**
 * What one upstream request costs the exporter, beside what axios alone costs on the same machine:
 * CPU and allocated bytes per request during one round at 10,000 customers (v3, one profile each:
 * 10,100 requests), and for a bare axios loop over the same URLs with the same concurrency and
 * keep-alive. Allocations come from V8's sampling heap profiler with collected objects included, so
 * they count every byte allocated, not what survives.
 */
import { Agent } from "node:http";
import { Session } from "node:inspector/promises";
import axios from "axios";
import pLimit from "p-limit";
import { exporterFor, startSimulatorProcess } from "./harness.js";

const CUSTOMERS = Number(process.env.BENCH_COST_CUSTOMERS ?? 10_000);
const CONCURRENCY = 16;

export interface CostRow {
  what: string;
  requests: number;
  cpuMsPerRequest: number;
  allocatedKbPerRequest: number;
}

interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
}
const total = (node: SamplingNode): number => node.children.reduce((sum, c) => sum + total(c), node.selfSize);

const session = new Session();
session.connect();

/**
 * CPU of one run of `requests` (which resolves with the number of requests it made), then the bytes
 * allocated in a second run under the sampling heap profiler (which costs CPU of its own).
 */
const measure = async (what: string, requests: () => Promise<number>): Promise<CostRow> => {
  const cpu0 = process.cpuUsage();
  const n = await requests();
  const cpu = process.cpuUsage(cpu0);
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const m = await requests();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as {
    profile: { head: SamplingNode };
  };
  return {
    what,
    requests: n,
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / n,
    allocatedKbPerRequest: total(profile.head) / 1024 / m,
  };
};

const simulator = await startSimulatorProcess([`--customers=${CUSTOMERS}`, "--profiles=1"]);
const exporter = exporterFor(simulator.url, [
  `--avepoint.concurrency=${CONCURRENCY}`,
  "--avepoint.rate-limit=100000",
  "--avepoint.adaptive-rate=false",
]);
const round = async (): Promise<number> => {
  await simulator.resetStats();
  exporter.rounds.start();
  await exporter.rounds.idle();
  return (await simulator.stats()).apiRequests;
};
// Warm-up: token, connections, JIT.
await round();

/** The same requests by axios alone: the customer pages, then every customer's profile list. */
const token = String(
  (
    await axios.post(
      `${simulator.url}/connect/token`,
      new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "demo-client",
        client_secret: "demo-secret",
      }),
    )
  ).data.access_token,
);
const base = `${simulator.url}/partner/external/v3/general/customers`;
const bare = axios.create({
  httpAgent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }),
  headers: { Authorization: `Bearer ${token}` },
});
const ids: string[] = [];
for (let page = 1; page <= Math.ceil(CUSTOMERS / 100); page++) {
  const { data } = await bare.get<{ data: { id: string }[] }>(base, {
    params: { pageIndex: page, pageSize: 100 },
  });
  ids.push(...data.data.map((c) => c.id));
}
const bareRound = async (): Promise<number> => {
  const limit = pLimit(CONCURRENCY);
  const pages = Array.from({ length: Math.ceil(CUSTOMERS / 100) }, (_, i) =>
    limit(() =>
      bare
        .get(base, { params: { pageIndex: i + 1, pageSize: 100 } })
        .then((r) => JSON.parse(JSON.stringify(r.data))),
    ),
  );
  const lists = ids.map((id) =>
    limit(() =>
      bare.get(`${base}/${encodeURIComponent(id)}/scan-profiles`, {
        params: { pageIndex: 1, pageSize: 100 },
      }),
    ),
  );
  await Promise.all([...pages, ...lists]);
  return pages.length + lists.length;
};
await bareRound();

const rows = [await measure("axios alone", bareRound), await measure("exporter", round)];
const [axiosRow, ours] = rows as [CostRow, CostRow];
process.stdout.write(
  `${JSON.stringify({ rows, addedCpuMsPerRequest: ours.cpuMsPerRequest - axiosRow.cpuMsPerRequest })}\n`,
);
await exporter.close();
await simulator.stop();
