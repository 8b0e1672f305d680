import { describe, expect, it } from "vitest";
import { completeProfiles } from "../../src/avepoint/flavors/complete.js";
import type { ScanProfile } from "../../src/avepoint/types.js";
import { UpstreamHttpError } from "../../src/errors.js";
import { dailyProfile } from "../helpers/records.js";

describe("complete profiles", () => {
  it("keeps complete rows and finishes the others from their daily record, list fields first", async () => {
    const asked: string[] = [];
    const row: ScanProfile = {
      id: "b",
      name: "Listed name",
      scanMode: null,
      tenantId: "",
      tenantDomain: "",
      modifiedTimestamp: 1_600_000_000,
      status: null,
    };
    const profiles = await completeProfiles([dailyProfile("a", 2), row], async (id) => {
      asked.push(id);
      return dailyProfile(id, 3);
    });
    expect(asked).toEqual(["b"]);
    expect(profiles).toEqual([
      dailyProfile("a", 2),
      { ...dailyProfile("b", 3), name: "Listed name", modifiedTimestamp: 1_600_000_000 },
    ]);
  });

  it("leaves out a profile deleted between the list and its daily record (404)", async () => {
    const rows = ["a", "b", "c"].map((id) => ({ ...dailyProfile(id, 2), status: null }));
    const profiles = await completeProfiles(rows, async (id) => {
      if (id === "b") throw new UpstreamHttpError(404, "GET /daily");
      return dailyProfile(id, 2);
    });
    expect(profiles.map((p) => p.id)).toEqual(["a", "c"]);
  });

  it("fails when every daily record answers 404: the endpoint is wrong, not the profiles", async () => {
    const rows = ["a", "b"].map((id) => ({ ...dailyProfile(id, 2), status: null }));
    await expect(
      completeProfiles(rows, async () => {
        throw new UpstreamHttpError(404, "GET /daily");
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("fails with the first daily record that fails", async () => {
    const row = { ...dailyProfile("x", 2), status: null };
    await expect(
      completeProfiles([row], async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
  });
});
