/** `node dist/bench/door-run.js`: only the door measurements of bench/door.ts. */
import { doorTable, runPasswordFlood, runSlowReaders } from "./door.js";

const flood = await runPasswordFlood();
const slow = await runSlowReaders();
process.stdout.write(`${doorTable(flood, slow)}\n${JSON.stringify({ flood, slow })}\n`);
process.exit(0);
