/**
 * Password checks cannot starve the process: bcrypt runs on worker threads, bounded in number (the
 * excess answered 429 at once), verified outcomes are cached on the user's hash, a wrong user name
 * costs what the costliest password costs, and the health endpoints never wait behind a check.
 */
import bcrypt from "bcryptjs";
import { afterEach, describe, expect, it } from "vitest";
import type { View } from "../../src/collect/view.js";
import { viewApp } from "../helpers/app.js";
import { basicAuthGuard, bcryptCost, VerifiedCache } from "../../src/web-config/basic-auth.js";
import { createPasswordChecks, type PasswordChecks } from "../../src/web-config/password-checks.js";
import { testProcess } from "../helpers/process.js";
import { basic, createPki } from "../helpers/pki.js";

const USER = "prometheus";
const PASSWORD = "Checks-Passw0rd";

const pools: PasswordChecks[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

const pool = (workers: number, maxPending: number): PasswordChecks => {
  const checks = createPasswordChecks({ workers, maxPending });
  pools.push(checks);
  return checks;
};

/** Records every hash compared, then compares on the real pool. */
const recording = (inner: PasswordChecks) => {
  const hashes: string[] = [];
  const checks: PasswordChecks = {
    compare: (password, hash) => {
      hashes.push(hash);
      return inner.compare(password, hash);
    },
    get pending() {
      return inner.pending;
    },
    get highWater() {
      return inner.highWater;
    },
    close: () => inner.close(),
  };
  return { checks, hashes };
};

const view: View = {
  listing: { ok: true },
  updatedAt: 0,
  round: { running: false, customers: 0, done: 0, lastComplete: null },
  customers: [],
};

describe("the pool of password checks", () => {
  it("compares on a worker thread with bcrypt's answer", async () => {
    const checks = pool(1, 4);
    const hash = bcrypt.hashSync(PASSWORD, 4);
    expect(await checks.compare(PASSWORD, hash)).toBe(true);
    expect(await checks.compare(`${PASSWORD}!`, hash)).toBe(false);
    expect(await checks.compare(PASSWORD, "not a hash")).toBe(false);
  });

  it("never has more checks pending than its bound: the excess is busy at once", async () => {
    const checks = pool(1, 3);
    const hash = bcrypt.hashSync(PASSWORD, 8);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => checks.compare(`wrong-${i}`, hash)),
    );
    expect(checks.highWater).toBe(3);
    expect(results.filter((r) => r === "busy")).toHaveLength(17);
    expect(results.filter((r) => r === false)).toHaveLength(3);
    expect(checks.pending).toBe(0);
  });
});

describe("basic auth", () => {
  it("matches the scheme case-insensitively", async () => {
    const guard = basicAuthGuard({ [USER]: bcrypt.hashSync(PASSWORD, 4) }, pool(1, 4));
    for (const scheme of ["Basic", "basic", "BASIC", "bAsIc"])
      expect(await guard(basic(USER, PASSWORD).replace(/^Basic/, scheme))).toBe(true);
    expect(await guard(basic(USER, PASSWORD).replace(/^Basic /, "Basically "))).toBe(false);
  });

  it("checks a wrong user name against a hash of the highest cost in the file", async () => {
    const { checks, hashes } = recording(pool(1, 4));
    const users = { cheap: bcrypt.hashSync("a", 4), [USER]: bcrypt.hashSync(PASSWORD, 11) };
    const guard = basicAuthGuard(users, checks);
    expect(await guard(basic("nobody", PASSWORD))).toBe(false);
    expect(hashes.map(bcryptCost)).toEqual([11]);
  });

  it("pays bcrypt once per user, hash and password: repeated wrong and right passwords are cached", async () => {
    const { checks, hashes } = recording(pool(1, 4));
    const cache = new VerifiedCache();
    const hash = bcrypt.hashSync(PASSWORD, 4);
    const guard = basicAuthGuard({ [USER]: hash }, checks, cache);
    for (let i = 0; i < 5; i++) {
      expect(await guard(basic(USER, PASSWORD))).toBe(true);
      expect(await guard(basic(USER, "wrong"))).toBe(false);
      expect(await guard(basic("nobody", "wrong"))).toBe(false);
    }
    expect(hashes).toHaveLength(3);

    // The same hash in a rewritten file: still cached. A changed hash: checked again.
    const again = basicAuthGuard({ [USER]: hash }, checks, cache);
    expect(await again(basic(USER, PASSWORD))).toBe(true);
    expect(hashes).toHaveLength(3);
    const rotated = basicAuthGuard({ [USER]: bcrypt.hashSync("other", 4) }, checks, cache);
    expect(await rotated(basic(USER, PASSWORD))).toBe(false);
    expect(hashes).toHaveLength(4);
  });

  it("keeps the cache bounded, and a flood of failures never pushes out a verified client", () => {
    const cache = new VerifiedCache(3, 2);
    cache.set("verified", true);
    for (let i = 0; i < 10; i++) cache.set(`wrong-${i}`, false);
    expect(cache.get("verified")).toBe(true);
    expect(cache.get("wrong-9")).toBe(false);
    expect(cache.get("wrong-0")).toBeUndefined();
    for (let i = 0; i < 5; i++) cache.set(`ok-${i}`, true);
    expect(cache.size).toBe(5);
    expect(cache.get("ok-4")).toBe(true);
    expect(cache.get("verified")).toBeUndefined();
  });

  it("answers health while a flood of wrong passwords is being checked, and the excess 429", async () => {
    const checks = pool(1, 2);
    const guard = basicAuthGuard({ [USER]: bcrypt.hashSync(PASSWORD, 13) }, checks);
    const app = viewApp(view, { guard });
    const codes: number[] = [];
    let fortyEight: () => void = () => {};
    const fortyEightAnswered = new Promise<void>((resolve) => (fortyEight = resolve));
    const flood = Array.from({ length: 50 }, (_, i) =>
      app.inject({ url: "/metrics", headers: { authorization: basic(USER, `wrong-${i}`) } }).then((a) => {
        codes.push(a.statusCode);
        if (codes.length === 48) fortyEight();
        return a;
      }),
    );
    // The 48 beyond the bound are answered at once, while two checks run on the worker.
    await fortyEightAnswered;
    expect(codes).toEqual(Array(48).fill(429));
    expect(checks.pending).toBe(2);
    const health = await app.inject({ url: "/-/healthy" });
    const ready = await app.inject({ url: "/-/ready" });
    expect(health.statusCode).toBe(200);
    expect(ready.statusCode).toBe(200);
    // Answered while the two checks were still running on the worker.
    expect(checks.pending).toBe(2);
    const all = await Promise.all(flood);
    expect(all.find((a) => a.statusCode === 429)?.headers["retry-after"]).toBe("1");
    expect(codes.slice(48)).toEqual([401, 401]);
    await app.close();
  });
});

describe("the built process", () => {
  it("checks passwords on its worker threads: the right one in, a wrong one out", async () => {
    const pki = createPki();
    try {
      const file = pki.write("web.yml", `basic_auth_users:\n  ${USER}: ${bcrypt.hashSync(PASSWORD, 4)}\n`);
      const exporter = await testProcess(
        ["--avepoint.api-url=http://127.0.0.1:9", "--avepoint.client-id=a", `--web.config.file=${file}`],
        { AVEPOINT_CLIENT_SECRET: "process-secret" },
      );
      const get = (password: string) =>
        fetch(`${exporter.url}/`, { headers: { Authorization: basic(USER, password) } }).then(
          (a) => a.status,
        );
      expect(await get(PASSWORD)).toBe(200);
      expect(await get(`${PASSWORD}!`)).toBe(401);
      expect(await get(PASSWORD)).toBe(200);
    } finally {
      pki.remove();
    }
  });
});
