/** The simulator's command line: node simulator/dist/main.js [flags], or `npm run simulator -- [flags]` from the repository root. */
import { readFileSync } from "node:fs";
import { CliError, USAGE, parseCliArgs } from "./cli-args.js";
import type { CliArgs } from "./cli-args.js";
import { prepareDemoFleet } from "./demo-fleet.js";
import { rateLimitOf } from "./faults.js";
import { DEFAULT_OPTIONS, startSimulator } from "./server.js";

function fail(message: string): never {
  process.stderr.write(`${message.replace(/\n/g, " ")}\n`);
  process.exit(2);
}

let args: CliArgs;
try {
  args = parseCliArgs(process.argv.slice(2));
} catch (err) {
  if (err instanceof CliError) fail(err.message);
  throw err;
}

if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

if (args.certificateFile !== null) {
  try {
    args.options.clientCertificatePem = readFileSync(args.certificateFile, "utf8");
  } catch (err) {
    fail(`--client-certificate-file: cannot read ${args.certificateFile}: ${(err as Error).message}`);
  }
}

let simulator;
try {
  simulator = await startSimulator(args.options);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  const flag =
    args.certificateFile !== null && /certificate|pem|x509/i.test(message)
      ? "--client-certificate-file"
      : "--listen-address";
  fail(`${flag}: ${message}`);
}

if (args.demoFailures) {
  try {
    prepareDemoFleet(simulator);
  } catch (err) {
    await simulator.close();
    fail(`--demo-failures: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const o = { ...DEFAULT_OPTIONS, ...args.options };
const limit = rateLimitOf(simulator.faults());
process.stdout.write(
  `simulator listening on ${simulator.url} (flavor ${o.flavor}, ${o.customers} customers × ` +
    `${o.profilesPerCustomer} profiles; client id ${o.clientId}` +
    `${limit === null ? "" : `; rate limit ${limit.rate}/s, burst ${limit.burst}`})\n`,
);

const stop = (): void => {
  simulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
