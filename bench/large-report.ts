/**
 * Time and peak memory to read a ~100 MB daily report (v3-batch /changes of a big clean-up day):
 *  1. the exporter as its own process against the simulator (full lists): the round's time, the
 *     report's request time, and the process's peak resident set (VmHWM from /proc);
 *  2. the streaming reader alone, in this process, on the same bytes held in memory: its time and
 *     the heap it adds while reading.
 * `npm run bench:report` alone (writes bench/results/large-report.md), or part of `npm run bench`
 * (BENCH_REPORT=0 leaves it out).
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { streamedRecord } from "../src/avepoint/streamed-record.js";
import { streamWithObjects } from "avepoint-simulator";
import type { SimProfile } from "avepoint-simulator";
import { startSimulatorProcess } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, "../src/main.js");
const CHANGES =
  "GET /partner/external/v3/general/customers/{customerId}/scan-profiles/{scanProfileId}/changes";
/** About 93 bytes an object: a million is a ~100 MB answer. */
export const REMOVED = Number(process.env.BENCH_REPORT_OBJECTS ?? 1_075_000);

export interface LargeReportRow {
  readonly what: string;
  readonly megabytes: number;
  readonly seconds: number;
  readonly megabytesPerSecond: number;
  readonly peakMb: number;
  readonly note: string;
}

const kib = (status: string, field: string): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);

const sampleOf = (text: string, name: string, match: string): number | undefined => {
  for (const line of text.split("\n"))
    if (line.startsWith(`${name}{`) && line.includes(match))
      return Number(line.slice(line.lastIndexOf(" ") + 1));
  return undefined;
};

/** The exporter as a process reading one report of `REMOVED` objects from the simulator. */
const exporterProcess = async (): Promise<LargeReportRow> => {
  const simulator = await startSimulatorProcess([
    "--flavor=v3-batch",
    "--customers=1",
    "--profiles=1",
    "--object-lists=full",
    `--cleanup-day=${REMOVED}`,
  ]);
  const child = spawn(
    process.execPath,
    [
      MAIN,
      "--web.listen-address=127.0.0.1:0",
      `--avepoint.api-url=${simulator.url}`,
      `--avepoint.token-url=${simulator.url}/connect/token`,
      "--avepoint.client-id=demo-client",
      "--avepoint.api-flavor=v3-batch",
      "--collect.min-interval=1h",
    ],
    {
      env: { PATH: process.env.PATH ?? "", AVEPOINT_CLIENT_SECRET: "demo-secret" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const onData = (chunk: Buffer): void => {
        out += chunk.toString();
        const match = /address=(?:")?(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => reject(new Error(`exporter exited with ${code}: ${out}`)));
    });
    const status = (): string => readFileSync(`/proc/${child.pid}/status`, "utf8");
    const idleMb = kib(status(), "VmRSS") / 1024;
    const started = performance.now();
    let text = "";
    for (;;) {
      const response = await fetch(`${url}/metrics`, {
        headers: { "x-prometheus-scrape-timeout-seconds": "30" },
      });
      text = await response.text();
      if (sampleOf(text, "avepoint_customer_collect_success", "customer_id") !== undefined) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const removed = sampleOf(text, "avepoint_scan_profile_removed_objects", "profile_id");
    if (removed !== REMOVED) throw new Error(`removed objects ${removed}, expected ${REMOVED}`);
    const bytes = sampleOf(text, "avepoint_api_report_read_bytes_total", CHANGES) ?? NaN;
    const requestSeconds = sampleOf(text, "avepoint_api_request_duration_seconds_sum", CHANGES) ?? NaN;
    const peakMb = kib(status(), "VmHWM") / 1024;
    return {
      what: "exporter process, report from the simulator (its own process)",
      megabytes: bytes / 1e6,
      seconds,
      megabytesPerSecond: bytes / 1e6 / requestSeconds,
      peakMb,
      note: `request ${requestSeconds.toFixed(2)} s of the round's ${seconds.toFixed(2)} s; RSS ${idleMb.toFixed(0)} MB before the round, peak is VmHWM`,
    };
  } finally {
    child.kill("SIGTERM");
    await simulator.stop();
  }
};

/** The streaming reader alone on the report's bytes, already in memory. */
const readerAlone = (): LargeReportRow => {
  const profile = {
    profileId: "bench-profile",
    profileName: "Bench",
    tenantDomain: "contoso",
    newRegisteredContentCount: 0,
    movedToAnotherContainer: 0,
    removedFromMicrosoft365OrOutofPolicy: REMOVED,
  } as SimProfile;
  const pieces = [
    ...streamWithObjects({ profileId: profile.profileId, lastScanStatus: 2 }, profile, "full"),
  ].map((piece) => Buffer.from(piece));
  const bytes = pieces.reduce((sum, piece) => sum + piece.length, 0);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const started = performance.now();
  const sink = streamedRecord(CHANGES, 10 * 1024 * 1024);
  for (const [i, piece] of pieces.entries()) {
    sink.write(piece);
    if (i % 64 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }
  sink.end();
  const seconds = (performance.now() - started) / 1000;
  return {
    what: "streaming reader alone (stream-json tokens, lists counted and skipped)",
    megabytes: bytes / 1e6,
    seconds,
    megabytesPerSecond: bytes / 1e6 / seconds,
    peakMb: (heapPeak - heapBefore) / 2 ** 20,
    note: "peak is the heap added while reading (the input itself excluded)",
  };
};

export const runLargeReport = async (): Promise<LargeReportRow[]> => [await exporterProcess(), readerAlone()];

export const largeReportTable = (rows: readonly LargeReportRow[]): string =>
  [
    `A daily report of a big clean-up day: ${REMOVED.toLocaleString("en")} removed objects listed (flavor v3-batch, /changes), default settings, Node ${process.version}.`,
    "",
    "| what | MB read | s | MB/s | peak MB | note |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.megabytes.toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.megabytesPerSecond.toFixed(0)} | ${r.peakMb.toFixed(0)} | ${r.note} |`,
    ),
    "",
  ].join("\n");

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await runLargeReport();
  const table = largeReportTable(rows);
  writeFileSync(join(here, "../../bench/results/large-report.md"), table);
  process.stdout.write(`${table}\n`);
}
