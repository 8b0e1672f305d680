import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The workspace packages by name, from their TypeScript source (their "source" export), as
  // tsconfig.json's customConditions has it for the typechecker: no build before the tests.
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions] } },
  test: {
    include: ["test/**/*.test.ts", "simulator/test/**/*.test.ts"],
    // Generous bounds, never assertions: a busy machine (CI, a laptop building something else) makes
    // tests slower, not wrong. Figures about speed live in `npm run bench`.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests start servers on ephemeral loopback ports; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
