import { afterEach, describe, expect, it } from "@effect/vitest"
import { findProgram, requireProgram } from "../support/required-program.js"
import { SKIP_LOG_VARIABLE, skipReport } from "../support/skip-summary.js"

const saved = { CI: process.env["CI"], log: process.env[SKIP_LOG_VARIABLE] }
afterEach(() => {
  for (const [key, value] of [["CI", saved.CI], [SKIP_LOG_VARIABLE, saved.log]] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

describe("requireProgram", () => {
  it("finds a program on PATH and says nothing", () => {
    expect(findProgram("sh")).toMatch(/\/sh$/)
    expect(requireProgram("sh", "dash")).toBeUndefined()
  })

  it("looks a bare name up on PATH only, where spawn looks; an absolute path is checked as is", () => {
    const path = process.env["PATH"]
    process.env["PATH"] = "/nonexistent"
    try {
      // /bin/sh exists, but a child spawned with this PATH would not find `sh`.
      expect(findProgram("sh")).toBeUndefined()
      expect(findProgram("/bin/sh")).toBe("/bin/sh")
    } finally {
      process.env["PATH"] = path
    }
  })

  it("outside CI, a missing program is one line naming the Debian package", () => {
    delete process.env["CI"]
    // Not recorded: this skip is the test's own, not a suite's.
    delete process.env[SKIP_LOG_VARIABLE]
    expect(requireProgram("sdh-no-such-program", "sdh-package")).toBe(
      "sdh-no-such-program is not installed (Debian package sdh-package)"
    )
  })

  it("under CI=true, a missing program fails instead of skipping", () => {
    process.env["CI"] = "true"
    delete process.env[SKIP_LOG_VARIABLE]
    expect(() => requireProgram("/usr/sbin/sdh-no-such-daemon", "sdh-server")).toThrow(
      "sdh-no-such-daemon is not installed (Debian package sdh-server): CI=true runs every test"
    )
  })
})

describe("the skip list printed after npm test", () => {
  it("groups the skipped files under each reason", () => {
    expect(skipReport([
      { file: "test/b.test.ts", reason: "sshd is not installed (Debian package openssh-server)" },
      { file: "test/a.test.ts", reason: "sshd is not installed (Debian package openssh-server)" },
      { file: "test/c.test.ts", reason: "chromium is not installed (Debian package chromium)" }
    ])).toBe([
      "Tests skipped in 3 file(s) for missing system programs (under CI=true they fail instead):",
      "  sshd is not installed (Debian package openssh-server):",
      "    test/a.test.ts",
      "    test/b.test.ts",
      "  chromium is not installed (Debian package chromium):",
      "    test/c.test.ts"
    ].join("\n"))
  })
})
