/** The HTTP app over a fixed view, with the settings tests of the server share; `more` adds or replaces. */
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import type { View } from "../../src/collect/view.js";
import { buildApp, type AppDeps } from "../../src/server/app.js";

export const viewApp = (view: View, more: Partial<AppDeps> = {}): FastifyInstance =>
  buildApp({
    rounds: { serve: async () => view, view: () => view, ready: true },
    selfRegistry: new Registry(),
    version: "test",
    telemetryPath: "/metrics",
    flavor: "v3",
    apiUrl: "https://api.example",
    timeoutOffsetSeconds: 0.5,
    defaultTimeoutSeconds: 10,
    ...more,
  });
