/**
 * The simulator package's one entry (`import … from "avepoint-simulator"`): start a fake AvePoint
 * in process, shape its fleet, and the data its reports are made of. Everything else is internal.
 */
export * from "./server.js";
export type { SimulatorControl } from "./types.js";
export { prepareDemoFleet, type DemoFailures } from "./demo-fleet.js";
export { AWKWARD_PROFILES } from "./names.js";
export { streamWithObjects } from "./profile-extras.js";
