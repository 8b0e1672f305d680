/** Data behind a profile's counts (object lists) and its settings; derived from the profile id, so stable. */
import { isoSeconds } from "./data.js";
import { createRng, hashSeed } from "./random.js";
import type { SimProfile } from "./types.js";

export interface ObjectRef {
  objectName: string;
  containerName: string;
}

export interface ProfileObjects {
  newRegisteredContent: ObjectRef[];
  removedFromMicrosoft365OrOutOfPolicyObjects: string[];
  movedToAnotherContainerObjects: ObjectRef[];
}

/** Lists are capped, so a count in the thousands does not make a megabyte answer. */
const MAX_LISTED = 10;

const OBJECT_KINDS = ["Site", "Team", "Group", "Mailbox", "OneDrive", "Channel"] as const;

export function profileObjects(profile: SimProfile): ProfileObjects {
  const rng = createRng(hashSeed(profile.profileId, "objects"));
  const ref = (prefix: string, i: number): ObjectRef => ({
    objectName: `${prefix} ${rng.pick(OBJECT_KINDS)} ${i + 1}`,
    containerName: `Container ${rng.int(1, 20)}`,
  });
  const count = (n: number): number => Math.min(n, MAX_LISTED);
  return {
    newRegisteredContent: Array.from({ length: count(profile.newRegisteredContentCount) }, (_, i) =>
      ref("New", i),
    ),
    removedFromMicrosoft365OrOutOfPolicyObjects: Array.from(
      { length: count(profile.removedFromMicrosoft365OrOutofPolicy) },
      (_, i) => `Removed ${rng.pick(OBJECT_KINDS)} ${i + 1}`,
    ),
    movedToAnotherContainerObjects: Array.from({ length: count(profile.movedToAnotherContainer) }, (_, i) =>
      ref("Moved", i),
    ),
  };
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
