import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { redactor, Secrets } from "../src/config/secrets.js";
import { createLogger } from "../src/log.js";

const capture = () => {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      cb();
    },
  });
  return { lines, out };
};

describe("logging", () => {
  it.each(["logfmt", "json"] as const)(
    "writes %s with credentials redacted and secrets scrubbed",
    async (format) => {
      const { lines, out } = capture();
      const logger = createLogger({ level: "debug", format }, out, new Secrets(["hunter2-secret"]));
      logger.info({ authorization: "Bearer abc.def", client_secret: "x" }, "request");
      logger.warn({ err: new Error("upstream said: bad client_secret=hunter2-secret") }, "failed");
      logger.warn(
        {
          detail: `echo ${encodeURIComponent("hunter2-secret")} ${Buffer.from("hunter2-secret").toString("base64")}`,
        },
        "odd",
      );
      logger.flush();
      await new Promise((r) => setImmediate(r));
      const text = lines.join("\n");
      expect(lines).toHaveLength(3);
      expect(text).not.toContain("hunter2-secret");
      expect(text).not.toContain(Buffer.from("hunter2-secret").toString("base64"));
      expect(text).not.toContain("abc.def");
      expect(text).toContain("[REDACTED]");
      if (format === "logfmt") expect(lines[0]).toMatch(/^ts=\S+ level=info msg=request /);
      else
        expect(JSON.parse(lines[0]!)).toMatchObject({
          level: "info",
          msg: "request",
          authorization: "[REDACTED]",
        });
    },
  );

  it.each(["logfmt", "json"] as const)(
    "%s: scrubs a secret cut short by an upstream, and tokens by their shape",
    async (format) => {
      const { lines, out } = capture();
      const logger = createLogger({ level: "debug", format }, out, new Secrets(["hunter2-secret-value"]));
      logger.warn({ err: new Error("identity said: (bad secret hunter2-sec") }, "refused");
      logger.warn(
        { detail: "echoed Authorization: Bearer opaque-token-1234 and https://u:pw-1234@host/" },
        "odd",
      );
      logger.flush();
      await new Promise((r) => setImmediate(r));
      const text = lines.join("\n");
      expect(lines).toHaveLength(2);
      expect(text).not.toContain("hunter2-sec");
      expect(text).not.toContain("opaque-token-1234");
      expect(text).not.toContain("pw-1234");
      expect(text).toContain("identity said");
    },
  );

  it("leaves text alone without secrets, and ignores values too short to be secrets", () => {
    expect(redactor([])("a b c")).toBe("a b c");
    expect(redactor(["abc"])("abc abc")).toBe("abc abc");
    expect(redactor(["s3cr3t!"])("x s3cr3t! s3cr3t%21 y")).toBe("x [REDACTED] [REDACTED] y");
  });
});
