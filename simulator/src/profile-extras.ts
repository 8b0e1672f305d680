/** Data behind a profile's counts (object lists) and its settings; derived from the profile id, so stable. */
import { isoSeconds } from "./data.js";
import { createRng, hashSeed } from "./random.js";
import type { SimProfile } from "./types.js";

const OBJECT_KINDS = ["Site", "Team", "Group", "Mailbox", "OneDrive", "Channel"] as const;

export interface ObjectRef {
  objectName: string;
  containerName: string;
}

/**
 * How long the object lists are: `full` as long as the counts say (as the documented endpoint
 * answers, so a big clean-up day makes a report of tens or hundreds of megabytes), `light` at
 * most LIGHT_LISTED entries (fleets of demos, tests and benchmarks where the lists do not matter).
 */
export type ObjectLists = "full" | "light";
export const OBJECT_LISTS: readonly ObjectLists[] = ["full", "light"];

/** Entries per list in the light mode. */
export const LIGHT_LISTED = 10;

/** The three lists' names on the wire, with the count each stands behind. */
const LISTS = [
  { name: "newRegisteredContent", count: "newRegisteredContentCount", kind: "new" },
  {
    name: "removedFromMicrosoft365OrOutOfPolicyObjects",
    count: "removedFromMicrosoft365OrOutofPolicy",
    kind: "removed",
  },
  { name: "movedToAnotherContainerObjects", count: "movedToAnotherContainer", kind: "moved" },
] as const;

const SITES = [
  "Finance",
  "HR",
  "Marketing",
  "Sales-EMEA",
  "Project Apollo",
  "Legal",
  "IT-Operations",
  "Board",
];
const LIBRARIES = ["Shared Documents", "Site Assets", "Archive", "Contracts 2025", "Team Files"];
const FILES = ["Quarterly Report", "Budget", "Minutes", "Roadmap", "Invoice", "Contract", "Onboarding Guide"];
const EXTENSIONS = ["docx", "xlsx", "pptx", "pdf", "msg", "txt"];
const FOLDERS = ["2024", "2025/Q1", "2025/Q3", "Drafts", "Final", "Customers/Northwind", "Old"];
const CONTAINERS = ["Team Site", "Group", "Mailbox", "OneDrive", "Channel"];

/** Entries of one list, at most `count`, generated lazily (a million need not be held at once). */
function* entries(
  profile: SimProfile,
  kind: (typeof LISTS)[number]["kind"],
  count: number,
): Generator<unknown> {
  const rng = createRng(hashSeed(profile.profileId, "objects", kind));
  const host = `https://${profile.tenantDomain.replace(/[^a-z0-9-]/gi, "").toLowerCase() || "tenant"}.sharepoint.com`;
  for (let i = 0; i < count; i++) {
    // About 100 bytes each, like a real SharePoint URL of a document.
    const url = `${host}/sites/${rng.pick(SITES)}/${rng.pick(LIBRARIES)}/${rng.pick(FOLDERS)}/${rng.pick(FILES)} ${i + 1}.${rng.pick(EXTENSIONS)}`;
    if (kind === "removed") yield url;
    else yield { objectName: url, containerName: `${rng.pick(CONTAINERS)} ${rng.int(1, 200)}` };
  }
}

const listed = (n: number, mode: ObjectLists): number => (mode === "full" ? n : Math.min(n, LIGHT_LISTED));

/** The three object lists behind a profile's counts, held (the light mode's small answers). */
export function profileObjects(profile: SimProfile, mode: ObjectLists = "light"): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const list of LISTS)
    out[list.name] = [...entries(profile, list.kind, listed(profile[list.count], mode))];
  return out;
}

/** Bytes per piece of a streamed answer: large enough to be cheap, small enough to stream. */
const PIECE = 64 * 1024;

/**
 * The JSON text of `head` (an object) followed by the three object lists, generated as it is
 * written: memory stays small whatever the counts. `head`'s own list fields are replaced.
 */
export function* streamWithObjects(
  head: Record<string, unknown>,
  profile: SimProfile,
  mode: ObjectLists,
): Generator<string> {
  const rest = { ...head };
  for (const list of LISTS) delete rest[list.name];
  const opening = JSON.stringify(rest);
  let piece = opening.slice(0, -1);
  let first = opening === "{}";
  for (const list of LISTS) {
    piece += `${first ? "" : ","}${JSON.stringify(list.name)}:[`;
    first = false;
    let i = 0;
    for (const entry of entries(profile, list.kind, listed(profile[list.count], mode))) {
      piece += (i++ === 0 ? "" : ",") + JSON.stringify(entry);
      if (piece.length >= PIECE) {
        yield piece;
        piece = "";
      }
    }
    piece += "]";
  }
  yield `${piece}}`;
}

export function profileSettings(profile: SimProfile): Record<string, unknown> {
  const rng = createRng(hashSeed(profile.profileId, "settings"));
  const hour = String(rng.int(0, 23)).padStart(2, "0");
  const modifiedMs = Date.parse(profile.modifiedTime);
  return {
    profileId: profile.profileId,
    profileName: profile.profileName,
    createdTime: Number.isNaN(modifiedMs)
      ? profile.modifiedTime
      : isoSeconds(modifiedMs - rng.int(0, 200) * 86_400_000),
    impersonationAccount: `svc-scan@${profile.tenantDomain}.onmicrosoft.com`,
    scanInplaceArchivedMailboxes: rng.chance(0.3),
    isIgnoreLockedSiteEnabled: rng.chance(0.5),
    enableDailyScan: rng.chance(0.2) ? "No" : `${hour}:00`,
    isSendOutOfPolicyNotification: rng.chance(0.4),
    containers: Array.from({ length: rng.int(0, 4) }, (_, i) => ({
      containersName: `Container ${i + 1}`,
      objectType: rng.pick(OBJECT_KINDS),
    })),
  };
}
