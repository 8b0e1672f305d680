import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../src/cli-args.js";
import { LIGHT_LISTED } from "../src/profile-extras.js";
import { V3, call, start, token } from "./helpers.js";

type Changes = Record<string, unknown> & {
  newRegisteredContent: { objectName: string; containerName: string }[];
  removedFromMicrosoft365OrOutOfPolicyObjects: string[];
  movedToAnotherContainerObjects: unknown[];
};

const changesOf = async (sim: Awaited<ReturnType<typeof start>>, customerId: string, profileId: string) => {
  const t = await token(sim);
  const result = await call(sim, `${V3}/${customerId}/scan-profiles/${profileId}/changes`, t);
  return { ...result, body: result.json() as Changes };
};

describe("object lists behind the counts", () => {
  it("full (default): as long as the counts, realistic URLs of about 100 bytes, valid JSON, chunked", async () => {
    const sim = await start({ flavor: "v3-batch", customers: 1, profilesPerCustomer: 1 });
    const [customer] = sim.customers();
    const profile = sim.stageCleanupDay(20_000, customer!.id);
    sim.updateProfile(customer!.id, profile.profileId, {
      newRegisteredContentCount: 1234,
      movedToAnotherContainer: 7,
    });
    const { status, headers, text, body } = await changesOf(sim, customer!.id, profile.profileId);
    expect(status).toBe(200);
    expect(headers.get("transfer-encoding")).toBe("chunked");
    expect(body.removedFromMicrosoft365OrOutofPolicy).toBe(20_000);
    expect(body.removedFromMicrosoft365OrOutOfPolicyObjects).toHaveLength(20_000);
    expect(body.newRegisteredContent).toHaveLength(1234);
    expect(body.movedToAnotherContainerObjects).toHaveLength(7);
    expect(body.removedFromMicrosoft365OrOutOfPolicyObjects[0]).toMatch(
      /^https:\/\/[a-z0-9-]+\.sharepoint\.com\/sites\//,
    );
    expect(new Set(body.removedFromMicrosoft365OrOutOfPolicyObjects).size).toBe(20_000);
    expect(body.newRegisteredContent[0]).toEqual({
      objectName: expect.any(String),
      containerName: expect.any(String),
    });
    const perObject = text.length / 21_241;
    expect(perObject).toBeGreaterThan(70);
    expect(perObject).toBeLessThan(140);
    // The same every time: derived from the profile.
    expect((await changesOf(sim, customer!.id, profile.profileId)).text).toBe(text);
  });

  it("light: at most 10 per list; the counts stay", async () => {
    const sim = await start({
      flavor: "v3-batch",
      customers: 1,
      profilesPerCustomer: 1,
      objectLists: "light",
    });
    const [customer] = sim.customers();
    const profile = sim.stageCleanupDay(5000, customer!.id);
    const { body } = await changesOf(sim, customer!.id, profile.profileId);
    expect(body.removedFromMicrosoft365OrOutofPolicy).toBe(5000);
    expect(body.removedFromMicrosoft365OrOutOfPolicyObjects).toHaveLength(LIGHT_LISTED);
  });

  it("a broken answer (badjson) of a streamed report is cut short, invalid JSON", async () => {
    const sim = await start({ flavor: "v3-batch", customers: 1, profilesPerCustomer: 1 });
    const [customer] = sim.customers();
    const profile = sim.stageCleanupDay(50_000, customer!.id);
    sim.setFaults({ failCustomers: { [customer!.id.toLowerCase()]: "badjson" } });
    const t = await token(sim);
    const result = await call(sim, `${V3}/${customer!.id}/scan-profiles/${profile.profileId}/changes`, t);
    expect(result.status).toBe(200);
    expect(() => result.json()).toThrow();
    expect(result.text.length).toBeLessThan(64 * 1024);
  });
});

describe("staging a big clean-up day", () => {
  it("--cleanup-day N: the first customer's first profile, finished today", async () => {
    const sim = await start({
      flavor: "v3-batch",
      customers: 2,
      profilesPerCustomer: 2,
      cleanupDay: 1_000_000,
    });
    const [customer] = sim.customers();
    const [first] = sim.profiles(customer!.id);
    expect(first).toMatchObject({ removedFromMicrosoft365OrOutofPolicy: 1_000_000, lastScanStatus: 2 });
    expect(Date.now() - Date.parse(first!.lastUpdateTime)).toBeLessThan(3_600_000);
  });

  it("POST /_sim/cleanup-day stages it on a chosen profile; bad input is refused", async () => {
    const sim = await start({ flavor: "v3-batch", customers: 2, profilesPerCustomer: 2 });
    const [, second] = sim.customers();
    const target = sim.profiles(second!.id)[1]!;
    const post = (body: unknown) =>
      fetch(`${sim.url}/_sim/cleanup-day`, { method: "POST", body: JSON.stringify(body) });
    const ok = await post({ removed: 250_000, customerId: second!.id, profileId: target.profileId });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      profileId: target.profileId,
      removedFromMicrosoft365OrOutofPolicy: 250_000,
    });
    expect(sim.profiles(second!.id)[1]!.removedFromMicrosoft365OrOutofPolicy).toBe(250_000);
    expect((await post({ removed: -1 })).status).toBe(400);
    expect((await post({ removed: 5, customerId: "nobody" })).status).toBe(404);
  });

  it("the command line reads --object-lists and --cleanup-day", () => {
    expect(parseCliArgs(["--object-lists", "light", "--cleanup-day", "250000"]).options).toMatchObject({
      objectLists: "light",
      cleanupDay: 250_000,
    });
    expect(() => parseCliArgs(["--object-lists", "some"])).toThrow(/--object-lists/);
    expect(() => parseCliArgs(["--cleanup-day", "-3"])).toThrow(/--cleanup-day/);
  });
});
