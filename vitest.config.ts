import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "simulator/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start servers on ephemeral loopback ports; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
