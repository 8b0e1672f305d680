/** The simulator as a library: startSimulator() serves the identity service and one API flavor on node:http. */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApiDeps } from "./api.js";
import { handleApi } from "./api.js";
import { createAssertionVerifier } from "./assertion.js";
import { CONTROL_PREFIX, handleControl } from "./control.js";
import { generateData, isoSeconds, todayAnchor } from "./data.js";
import { DEFAULT_FAULTS, mergeFaults, rateLimitOf } from "./faults.js";
import { errorBody, sendJson } from "./http-util.js";
import { TOKEN_PATH, handleToken } from "./identity.js";
import { createRng, hashSeed } from "./random.js";
import { RateLimiter } from "./rate-limit.js";
import type { Router } from "./routes.js";
import { modernRouter } from "./routes-modern.js";
import { v3BatchRouter } from "./routes-v3-batch.js";
import { v3Router } from "./routes-v3.js";
import { StatsRecorder } from "./stats.js";
import { SimStore } from "./store.js";
import { TokenStore } from "./tokens.js";
import type { SimFaults, SimFlavor, Simulator, SimulatorOptions } from "./types.js";

export type {
  CustomerFault,
  ModernDailyRoutes,
  SimCustomer,
  SimFaults,
  SimFlavor,
  SimProfile,
  SimStats,
  SimTenant,
  Simulator,
  SimulatorOptions,
} from "./types.js";
export { SIM_FLAVORS } from "./types.js";
export { DEFAULT_FAULTS } from "./faults.js";
export { FLAVOR_SCOPES } from "./identity.js";
export { V3_ENDPOINTS } from "./routes-v3.js";
export { V3_BATCH_ENDPOINTS } from "./routes-v3-batch.js";
export { MODERN_ENDPOINTS } from "./routes-modern.js";

export const DEFAULT_OPTIONS: Readonly<Omit<SimulatorOptions, "faults">> = {
  host: "127.0.0.1",
  port: 0,
  flavor: "v3",
  customers: 20,
  profilesPerCustomer: 3,
  seed: 1,
  clientId: "demo-client",
  clientSecret: "demo-secret",
  clientCertificatePem: null,
  incompleteRowRate: 0,
  modernDailyRoutes: "both",
  objectLists: "full",
  cleanupDay: null,
  clock: () => performance.now(),
};

const ROUTERS: Readonly<Record<SimFlavor, Router>> = {
  v3: v3Router,
  modern: modernRouter,
  "v3-batch": v3BatchRouter,
};

const scopeNames = (flavor: SimFlavor): ApiDeps["scopeNames"] => {
  const prefix = flavor === "modern" ? "partner" : "elements";
  return { customers: `${prefix}.customers.read.all`, scanprofiles: `${prefix}.scanprofiles.read.all` };
};

/**
 * Generates the data, then listens. @throws Error when the certificate PEM is unusable or the port cannot be bound.
 */
export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const opts: SimulatorOptions = { ...DEFAULT_OPTIONS, faults: {}, ...options };
  let faults: SimFaults = mergeFaults({ ...DEFAULT_FAULTS }, opts.faults);
  const rateLimiter = new RateLimiter(opts.clock);
  rateLimiter.configure(rateLimitOf(faults));
  const store = new SimStore(
    generateData({
      seed: opts.seed,
      customers: opts.customers,
      profilesPerCustomer: opts.profilesPerCustomer,
      incompleteRowRate: opts.incompleteRowRate,
      anchorMs: todayAnchor(),
    }),
  );
  const tokens = new TokenStore();
  const stats = new StatsRecorder();
  const verifier =
    opts.clientCertificatePem === null
      ? null
      : createAssertionVerifier(opts.clientCertificatePem, opts.clientId);
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: (fired: boolean) => void }>();
  let baseUrl = "";

  const delay = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  const apiDeps: ApiDeps = {
    router: ROUTERS[opts.flavor],
    routerConfig: { modernDailyRoutes: opts.modernDailyRoutes },
    scopeNames: scopeNames(opts.flavor),
    store,
    tokens,
    stats,
    faults: () => faults,
    faultRng: createRng(hashSeed(opts.seed, "faults")),
    quirkRng: createRng(hashSeed(opts.seed, "quirks")),
    rateLimiter,
    objectLists: opts.objectLists,
    delay,
  };

  const sim: Simulator = {
    get url() {
      return baseUrl;
    },
    get apiUrl() {
      return baseUrl;
    },
    get tokenUrl() {
      return `${baseUrl}${TOKEN_PATH}`;
    },
    customers: () => [...store.allCustomers],
    profiles: (customerId) => [...(store.profiles(customerId) ?? [])],
    updateProfile: (customerId, profileId, patch) => void store.updateProfile(customerId, profileId, patch),
    deleteProfile: (customerId, profileId) => store.deleteProfile(customerId, profileId),
    deleteCustomer: (customerId) => store.deleteCustomer(customerId),
    stageCleanupDay: (removed, customerId, profileId) => {
      const customer = customerId ?? store.allCustomers[0]?.id;
      const profile =
        profileId ?? (customer === undefined ? undefined : store.profiles(customer)?.[0]?.profileId);
      if (customer === undefined || profile === undefined) throw new Error("no such customer or profile");
      store.updateProfile(customer, profile, {
        removedFromMicrosoft365OrOutofPolicy: removed,
        lastScanStatus: 2,
        lastUpdateTime: isoSeconds(Date.now()),
      });
      const staged = store.profile(customer, profile);
      if (!staged) throw new Error(`scan profile ${profile} of customer ${customer} not found`);
      return { ...staged };
    },
    setFaults: (patch) => {
      faults = mergeFaults(faults, patch);
      rateLimiter.configure(rateLimitOf(faults));
    },
    faults: () => ({ ...faults }),
    stats: () => stats.snapshot(verifier?.usedJti ?? 0),
    resetStats: () => stats.reset(),
    close: () => close(),
  };

  if (opts.cleanupDay !== null) sim.stageCleanupDay(opts.cleanupDay);

  // Behind 0.0.0.0 or a container port mapping, clients know the service by their Host header.
  const publicBase = (req: IncomingMessage): string =>
    req.headers.host === undefined ? baseUrl : `http://${req.headers.host}`;
  const tokenUrlsFor = (req: IncomingMessage): string[] => [
    ...new Set([sim.tokenUrl, `${publicBase(req)}${TOKEN_PATH}`]),
  ];

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    const lower = url.pathname.toLowerCase();
    if (lower === TOKEN_PATH) {
      stats.tokenRequests += 1;
      return handleToken(req, res, {
        flavor: opts.flavor,
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
        verifier,
        tokens,
        tokenUrls: () => tokenUrlsFor(req),
        faults: () => faults,
      });
    }
    if (lower.startsWith(CONTROL_PREFIX)) return handleControl(req, res, url.pathname, sim);
    return handleApi(req, res, url, apiDeps, publicBase(req));
  }

  const server = createServer((req, res) => {
    dispatch(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody("InternalServerError", `simulator: ${String(err)}`));
      else res.destroy();
    });
  });
  // Benchmarks open thousands of connections at once; keep them alive between requests.
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host, port: opts.port, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  let closing: Promise<void> | null = null;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve(false);
      }
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }

  return sim;
}
