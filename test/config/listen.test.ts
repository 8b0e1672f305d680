/** --web.listen-address repeats (as in exporter-toolkit): from flags, the environment or the config file. */
import { describe, expect, it } from "vitest";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";

const ENV = { AVEPOINT_CLIENT_SECRET: "s3cr3t" };
const noFiles = (): string => {
  throw new Error("no files");
};
const listen = (argv: string[], env: Record<string, string> = ENV) =>
  (parseConfig(["--avepoint.client-id=a", ...argv], { ...ENV, ...env }, noFiles) as ParsedArgs).config.web;

describe("--web.listen-address", () => {
  it.each([
    [["--web.listen-address=:9100"], {}, [{ host: undefined, port: 9100 }]],
    [
      ["--web.listen-address=127.0.0.1:9100", "--web.listen-address=[::1]:9100"],
      {},
      [
        { host: "127.0.0.1", port: 9100 },
        { host: "::1", port: 9100 },
      ],
    ],
    [
      [],
      { WEB_LISTEN_ADDRESS: "127.0.0.1:9100, 10.0.0.1:9100" },
      [
        { host: "127.0.0.1", port: 9100 },
        { host: "10.0.0.1", port: 9100 },
      ],
    ],
    // Flags win over the environment as a whole, not address by address.
    [["--web.listen-address=:1"], { WEB_LISTEN_ADDRESS: ":2" }, [{ host: undefined, port: 1 }]],
  ])("%j with %j", (argv, env, expected) => {
    const web = listen(argv, env);
    expect(web.listen).toEqual(expected);
    expect(web.listen[0]).toEqual(expected[0]);
  });

  it.each([
    [["--web.listen-address=127.0.0.1:9100", "--web.listen-address=127.0.0.1:9100"], "given twice"],
    [["--web.listen-address=127.0.0.1:9100", "--web.listen-address=nope"], 'must be [host]:port, got "nope"'],
    [["--web.listen-address=,"], "missing"],
  ])("refuses %j", (argv, problem) => {
    expect(() => listen(argv)).toThrow(`--web.listen-address: `);
    expect(() => listen(argv)).toThrow(problem);
  });
});
