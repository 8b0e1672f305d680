#!/usr/bin/env node
/**
 * Writes dist/build-info.json: the revision and the build date that --version and
 * avepoint_exporter_build_info show. The revision comes from $REVISION (a container build passes it
 * as a build argument), else from git, else "unknown"; the date from $BUILD_DATE, else
 * $SOURCE_DATE_EPOCH (reproducible builds), else now.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";

const fromGit = () => {
  try {
    const revision = execFileSync("git", ["rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(revision) ? revision : undefined;
  } catch {
    return undefined;
  }
};

const revision = process.env.REVISION?.trim() || fromGit() || "unknown";
const epoch = Number(process.env.SOURCE_DATE_EPOCH);
const buildDate =
  process.env.BUILD_DATE?.trim() ||
  (Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date())
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z");

mkdirSync("dist", { recursive: true });
writeFileSync("dist/build-info.json", `${JSON.stringify({ revision, buildDate })}\n`);
