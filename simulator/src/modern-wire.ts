/**
 * Wire shapes of the modern flavor (avepoint-api §5.2) with the inconsistencies real answers showed:
 * PascalCase or camelCase, `profileID`/`tenantID`, the misspelt `newRegistedContentCount`,
 * and US-style `MM/dd/yyyy HH:mm:ss` dates beside ISO 8601. One set of quirks is drawn per response.
 */
import type { Rng } from "./random.js";
import type { SimCustomer, SimProfile } from "./types.js";

export interface ModernQuirks {
  pascal: boolean;
  upperId: boolean;
  misspelt: boolean;
  usDates: boolean;
  plainNextLink: boolean;
  numericJobStatus: boolean;
}

/** Draws the quirks of one response; `pascalShare` is how often names come PascalCase. */
export function drawQuirks(rng: Rng, pascalShare: number): ModernQuirks {
  return {
    pascal: rng.chance(pascalShare),
    upperId: rng.chance(0.3),
    misspelt: rng.chance(0.3),
    usDates: rng.chance(0.4),
    plainNextLink: rng.chance(0.2),
    numericJobStatus: rng.chance(0.15),
  };
}

export const JOB_STATUS_NAMES: readonly string[] = [
  "N/A",
  "Working",
  "Failed",
  "Waiting for configuration",
  "Multiple issues found",
  "Finished with exception",
  "No backup updates",
];

const pad = (n: number): string => String(n).padStart(2, "0");

/** ISO → `MM/dd/yyyy HH:mm:ss` (UTC, no zone); anything unparsable is passed through. */
export function usDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (
    `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

function namer(q: ModernQuirks): (camel: string) => string {
  return (camel) => {
    let name = camel;
    if (q.upperId && (name === "profileId" || name === "tenantId")) name = `${name.slice(0, -2)}ID`;
    if (q.misspelt && name === "newRegisteredContentCount") name = "newRegistedContentCount";
    return q.pascal ? name.charAt(0).toUpperCase() + name.slice(1) : name;
  };
}

const dateOf = (q: ModernQuirks, iso: string): string => (q.usDates ? usDate(iso) : iso);

export function modernCustomer(c: SimCustomer, q: ModernQuirks): unknown {
  return {
    id: c.id,
    organization: c.organization,
    ownerEmail: c.ownerEmail,
    jobStatus: q.numericJobStatus ? c.jobStatus : (JOB_STATUS_NAMES[c.jobStatus] ?? String(c.jobStatus)),
    countryOrRegion: c.countryOrRegion,
  };
}

export function modernProfileRow(p: SimProfile, q: ModernQuirks): Record<string, unknown> {
  const n = namer(q);
  return {
    [n("profileName")]: p.profileName,
    [n("profileId")]: p.profileId,
    [n("scanMode")]: p.scanMode,
    [n("modifiedTime")]: dateOf(q, p.modifiedTime),
  };
}

export function modernDaily(p: SimProfile, q: ModernQuirks, context: string): Record<string, unknown> {
  const n = namer(q);
  return {
    "@odata.context": context,
    [n("profileName")]: p.profileName,
    [n("profileId")]: p.profileId,
    [n("tenantDomain")]: p.tenantDomain,
    [n("tenantId")]: p.tenantId,
    [n("description")]: p.description,
    [n("scanMode")]: p.scanMode,
    [n("modifiedTime")]: dateOf(q, p.modifiedTime),
    [n("lastUpdateTime")]: dateOf(q, p.lastUpdateTime),
    [n("lastScanStatus")]: p.lastScanStatus,
    [n("newRegisteredContentCount")]: p.newRegisteredContentCount,
    [n("movedToAnotherContainer")]: p.movedToAnotherContainer,
    [n("removedFromMicrosoft365OrOutofPolicy")]: p.removedFromMicrosoft365OrOutofPolicy,
  };
}
