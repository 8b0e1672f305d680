/** Control endpoints under /_sim/ for tests, demos and benchmarks: no auth, not counted in stats. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { validateFaultsPatch } from "./faults.js";
import { errorBody, readBody, sendJson, tryParseJson } from "./http-util.js";
import type { SimProfile, SimulatorControl } from "./types.js";

export const CONTROL_PREFIX = "/_sim/";

const PROFILE_FIELDS: Readonly<Record<keyof SimProfile, "string" | "number">> = {
  profileName: "string",
  profileId: "string",
  scanMode: "number",
  modifiedTime: "string",
  description: "string",
  tenantId: "string",
  tenantDomain: "string",
  lastUpdateTime: "string",
  lastScanStatus: "number",
  newRegisteredContentCount: "number",
  movedToAnotherContainer: "number",
  removedFromMicrosoft365OrOutofPolicy: "number",
};

function validateProfilePatch(input: unknown): Partial<SimProfile> | string {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return "patch must be a JSON object";
  for (const [key, value] of Object.entries(input)) {
    const type = (PROFILE_FIELDS as Record<string, string | undefined>)[key];
    if (type === undefined) return `unknown profile field ${key}`;
    if (typeof value !== type) return `${key} must be a ${type}`;
  }
  return input as Partial<SimProfile>;
}

const missing = (res: ServerResponse, err: unknown): void =>
  sendJson(res, 404, errorBody("NotFound", err instanceof Error ? err.message : String(err)));

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  target: SimulatorControl,
): Promise<void> {
  const method = req.method ?? "GET";
  let parts: string[];
  try {
    parts = path
      .slice(CONTROL_PREFIX.length)
      .split("/")
      .filter((s) => s !== "")
      .map((s) => decodeURIComponent(s));
  } catch {
    return sendJson(res, 400, errorBody("BadRequest", "bad percent-encoding in path"));
  }
  const body = await readBody(req);
  const json = (): unknown => (body === "" ? {} : tryParseJson(body));
  const [first, id, third, profileId] = parts;

  if (first === "stats" && parts.length === 1 && method === "GET") return sendJson(res, 200, target.stats());
  if (first === "stats" && id === "reset" && parts.length === 2 && method === "POST") {
    target.resetStats();
    return sendJson(res, 200, target.stats());
  }
  if (first === "faults" && parts.length === 1) {
    if (method === "GET") return sendJson(res, 200, target.faults());
    if (method === "POST" || method === "PATCH") {
      const patch = validateFaultsPatch(json());
      if (typeof patch === "string") return sendJson(res, 400, errorBody("BadRequest", patch));
      target.setFaults(patch);
      return sendJson(res, 200, target.faults());
    }
  }
  if (first === "cleanup-day" && parts.length === 1 && method === "POST") {
    const input = json() as { removed?: unknown; customerId?: unknown; profileId?: unknown } | undefined;
    const removed = input?.removed;
    if (typeof removed !== "number" || !Number.isSafeInteger(removed) || removed < 0)
      return sendJson(res, 400, errorBody("BadRequest", "removed must be a whole number ≥ 0"));
    const customerId = typeof input?.customerId === "string" ? input.customerId : undefined;
    const profileId = typeof input?.profileId === "string" ? input.profileId : undefined;
    try {
      return sendJson(res, 200, target.stageCleanupDay(removed, customerId, profileId));
    } catch (err) {
      return missing(res, err);
    }
  }
  if (first === "customers" && parts.length === 1 && method === "GET") {
    return sendJson(res, 200, {
      customers: target.customers().map((c) => ({ ...c, profiles: target.profiles(c.id) })),
    });
  }
  if (first === "customers" && id !== undefined) {
    try {
      if (parts.length === 2 && method === "DELETE") {
        target.deleteCustomer(id);
        return sendJson(res, 200, { deleted: id });
      }
      if (third === "profiles" && profileId !== undefined && parts.length === 4) {
        if (method === "DELETE") {
          target.deleteProfile(id, profileId);
          return sendJson(res, 200, { deleted: profileId });
        }
        if (method === "PATCH") {
          const patch = validateProfilePatch(json());
          if (typeof patch === "string") return sendJson(res, 400, errorBody("BadRequest", patch));
          target.updateProfile(id, profileId, patch);
          return sendJson(
            res,
            200,
            target
              .profiles(id)
              .find((p) => p.profileId.toLowerCase() === (patch.profileId ?? profileId).toLowerCase()),
          );
        }
      }
    } catch (err) {
      return missing(res, err);
    }
  }
  sendJson(res, 404, errorBody("NotFound", `no control endpoint ${method} ${path}`));
}
