import { describe, expect, it } from "vitest";
import { ModernApi } from "../../src/avepoint/flavors/modern.js";
import { UpstreamHttpError } from "../../src/errors.js";
import { ctx, scriptedClient } from "./scripted-client.js";

const daily = {
  ProfileId: "p",
  ProfileName: "n",
  LastScanStatus: 2,
  NewRegisteredContentCount: 1,
  MovedToAnotherContainer: 0,
  RemovedFromMicrosoft365OrOutofPolicy: 0,
};

describe("modern daily endpoint spellings", () => {
  it("remembers the spelling that answers and tries the others again when it starts to 404", async () => {
    let legacyWorks = true;
    const asked: string[] = [];
    const { client } = scriptedClient((url, request) => {
      const route = url.pathname.includes("dailyNewSummary") ? "summary" : "legacy";
      asked.push(route);
      if (route === "legacy" && !legacyWorks) throw new UpstreamHttpError(404, request.endpoint);
      if (route === "summary" && legacyWorks) throw new UpstreamHttpError(404, request.endpoint);
      return daily;
    });
    const api = new ModernApi(client);
    await api.profileDaily("c", "p", ctx);
    await api.profileDaily("c", "p", ctx);
    legacyWorks = false;
    await api.profileDaily("c", "p", ctx);
    await api.profileDaily("c", "p", ctx);
    expect(asked).toEqual(["legacy", "legacy", "legacy", "summary", "summary"]);
  });
});
