import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Network and child-process tests: bounded, but not instant on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Lists, at the end of the run, the suites skipped for a missing system program.
    globalSetup: ["test/support/skip-summary.ts"],
    reporters: ["default"]
  }
})
