/**
 * One GET from a separate process, as Prometheus would make it: prints the bytes received on the
 * wire and the time to the last byte as JSON. Keeps the client's memory out of the exporter's.
 */
import { request } from "node:http";

const [url, encoding] = process.argv.slice(2);
const start = performance.now();
request(url!, { headers: encoding ? { "accept-encoding": encoding } : {} }, (res) => {
  let bytes = 0;
  res.on("data", (chunk: Buffer) => (bytes += chunk.length));
  res.on("end", () =>
    process.stdout.write(JSON.stringify({ status: res.statusCode, bytes, ms: performance.now() - start })),
  );
})
  .on("error", (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  })
  .end();
