/**
 * Whose state a file is: the partner's API and identity service, the app registration, the flavor,
 * the region and the shard. Kept as a hash per field, never the values: the file must not name the
 * client, and a hash per field lets the log say which one differs.
 */
import { createHash } from "node:crypto";
import type { Config } from "../config/config.js";

export const IDENTITY_FIELDS = [
  "api_url",
  "token_url",
  "client_id",
  "flavor",
  "region",
  "shard_index",
  "shard_total",
] as const;

export type IdentityField = (typeof IDENTITY_FIELDS)[number];
export type StateIdentity = Readonly<Record<IdentityField, string>>;

const hash = (field: IdentityField, value: string): string =>
  // The field name is part of the hash: equal values of two fields do not hash alike.
  createHash("sha256").update(`${field}\0${value}`).digest("hex").slice(0, 32);

/** The identity of the state this configuration writes and may read. */
export const identityOf = (config: Pick<Config, "avepoint" | "shard">): StateIdentity => {
  const values: Record<IdentityField, string> = {
    api_url: config.avepoint.apiUrl,
    token_url: config.avepoint.tokenUrl,
    client_id: config.avepoint.clientId,
    flavor: config.avepoint.flavor,
    region: config.avepoint.region ?? "",
    shard_index: String(config.shard.index),
    shard_total: String(config.shard.total),
  };
  return Object.fromEntries(
    IDENTITY_FIELDS.map((field) => [field, hash(field, values[field])]),
  ) as StateIdentity;
};

/** The fields in which a kept identity differs from this one (empty: the same partner and shard). */
export const foreignFields = (kept: StateIdentity, mine: StateIdentity): IdentityField[] =>
  IDENTITY_FIELDS.filter((field) => kept[field] !== mine[field]);
