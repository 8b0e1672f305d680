/**
 * The door never opens by itself: while the web config is rewritten hundreds of times (truncated then
 * written, written in two steps, partial, deleted and recreated), no request without credentials gets
 * anything but a refusal, and a change that would remove basic auth is refused with the reason.
 */
import { open, rm, rename, writeFile } from "node:fs/promises";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, createPki, type Pki } from "../helpers/pki.js";
import { serveWith } from "../helpers/web-server.js";

const USER = "prometheus";
const PASSWORD = "Door-Passw0rd-rewrite";

let pki: Pki;
let users = "";

beforeAll(() => {
  pki = createPki();
  users = `basic_auth_users:\n  ${USER}: ${bcrypt.hashSync(PASSWORD, 4)}\n`;
});

afterAll(() => pki.remove());

describe("rewriting the web config never turns basic auth off", () => {
  it("an empty file, a partial one or one without users is refused; the running users stay", async () => {
    const file = pki.write("web.yml", users);
    const { url, web, reloads } = await serveWith(file);
    for (const text of [
      "",
      "http_server_config:\n  headers: {}\n",
      "basic_auth_users:\n",
      "basic_auth_users: {}\n",
    ]) {
      pki.write("web.yml", text);
      expect(() => web.reload()).toThrow(/basic_auth_users: turning basic auth off needs a restart/);
      expect((await fetch(`${url}/`)).status).toBe(401);
    }
    expect(reloads.at(-1)).toMatchObject({ ok: false, opensDoor: true });
    pki.write("web.yml", users);
    expect((await fetch(`${url}/`, { headers: { Authorization: basic(USER, PASSWORD) } })).status).toBe(200);
  });

  it("zero unauthenticated answers while the file is rewritten hundreds of times", async () => {
    const file = pki.write("web.yml", users);
    const { url, reloads } = await serveWith(file);
    let stop = false;
    const answers = new Map<number, number>();
    const leaked: string[] = [];
    const client = async (target: string, method: string): Promise<void> => {
      while (!stop) {
        const answer = await fetch(`${url}${target}`, { method });
        await answer.arrayBuffer();
        answers.set(answer.status, (answers.get(answer.status) ?? 0) + 1);
        if (answer.status < 400 || answer.status >= 500) leaked.push(`${method} ${target} ${answer.status}`);
      }
    };
    const clients = [
      client("/", "GET"),
      client("/?part=status", "GET"),
      client("/metrics", "HEAD"),
      client("/metrics", "GET"),
      client("/", "GET"),
      client("/nowhere", "GET"),
    ];
    const partial = users.slice(0, users.length - 20);
    const writers: (() => Promise<void>)[] = [
      // Truncate, then write: the moment between is an empty file.
      async () => {
        const handle = await open(file, "w");
        await handle.write(users);
        await handle.close();
      },
      // Two steps: the key first, the users after.
      async () => {
        await writeFile(file, "basic_auth_users:\n");
        await writeFile(file, users);
      },
      // A file cut short, then whole again.
      async () => {
        await writeFile(file, partial);
        await writeFile(file, users);
      },
      // Only another section, then the users back.
      async () => {
        await writeFile(file, "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n");
        await writeFile(file, users);
      },
      // Deleted and recreated.
      async () => {
        await rm(file);
        await writeFile(file, users);
      },
      // Replaced by rename (as editors and Kubernetes do).
      async () => {
        await writeFile(`${file}.new`, users);
        await rename(`${file}.new`, file);
      },
      // Emptied for a while.
      async () => {
        await writeFile(file, "");
        await new Promise((resolve) => setImmediate(resolve));
        await writeFile(file, users);
      },
    ];
    for (let round = 0; round < 210; round++) {
      await writers[round % writers.length]!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    stop = true;
    await Promise.all(clients);

    expect(leaked).toEqual([]);
    expect(answers.get(401) ?? 0).toBeGreaterThan(100);
    // The refusals were told (and the good rewrites applied).
    expect(reloads.some((r) => !r.ok && r.opensDoor === true)).toBe(true);
    // The door still opens for the right password.
    expect((await fetch(`${url}/`, { headers: { Authorization: basic(USER, PASSWORD) } })).status).toBe(200);
  }, 90_000);
});
