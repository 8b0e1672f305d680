/** An identity service that cannot be reached is a network failure naming its host, in the log and the metrics. */
import { describe, expect, it } from "vitest";
import { parseExposition, series, value } from "../helpers/exposition.js";
import { refusingPort } from "../helpers/loopback.js";
import { testProcess } from "../helpers/process.js";

const SECRET = "Unreachable-S3cret-1";

describe("an identity service nobody answers for", () => {
  it("is reason=network with its host, never auth", async () => {
    const port = await refusingPort();
    const exporter = await testProcess(
      [
        `--avepoint.token-url=http://127.0.0.1:${port}/connect/token`,
        `--avepoint.api-url=http://127.0.0.1:${port}`,
        "--avepoint.client-id=a",
        "--avepoint.max-retries=0",
      ],
      { AVEPOINT_CLIENT_SECRET: SECRET },
    );
    // The first scrape starts the round; its listing fails at once and is logged.
    const logged = (): string | undefined =>
      exporter
        .output()
        .split("\n")
        .find((line) => line.includes("cannot get a token"));
    let samples = parseExposition(await (await fetch(`${exporter.url}/metrics`)).text());
    while (logged() === undefined || value(samples, "avepoint_up") === undefined) {
      await new Promise((resolve) => exporter.child.stdout?.once("data", resolve));
      samples = parseExposition(await (await fetch(`${exporter.url}/metrics`)).text());
    }
    const line = logged() ?? "";
    expect(line).toContain("reason=network");
    expect(line).toContain(`connection to 127.0.0.1:${port} refused (ECONNREFUSED)`);
    expect(exporter.output()).not.toContain("reason=auth");
    expect(value(samples, "avepoint_up")).toBe(0);
    // One token request per round, however many customers: each scrape may have started a round.
    expect(
      series(samples, "avepoint_token_requests_total", { result: "failure" })[0]?.value,
    ).toBeGreaterThanOrEqual(1);
    expect(series(samples, "avepoint_token_requests_total", { result: "success" })[0]?.value).toBe(0);
    expect(exporter.output()).not.toContain(SECRET);
  });
});
