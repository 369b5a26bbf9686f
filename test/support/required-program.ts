/**
 * Tests that need a system program say so. `requireProgram("sshd",
 * "openssh-server")` returns undefined when the program is there; when it is
 * missing it returns one line naming the Debian package, for
 * `describe.skipIf(...)`, and records the skip so `npm test` lists it at the
 * end (see skip-summary.ts). `testsNeedProgram` does the same for every test
 * of a file or describe block, each skipped with that line. Under `CI=true` a
 * missing program is no reason to skip: the test file fails at once, so CI
 * can never pass by skipping.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { beforeEach, expect } from "vitest"
import { SKIP_LOG_VARIABLE } from "./skip-summary.js"

/**
 * The program's absolute path, or undefined. A bare name is looked up on PATH
 * only, exactly where `spawn` will look for it, so a test never counts on a
 * program its child processes cannot find; a daemon in sbin, which a user's
 * PATH often lacks, is named by its absolute path and checked as is.
 */
export const findProgram = (program: string): string | undefined => {
  const candidates = path.isAbsolute(program)
    ? [program]
    : (process.env["PATH"] ?? "").split(path.delimiter).filter((dir) => dir !== "")
      .map((dir) => path.join(dir, program))
  return candidates.find((candidate) => {
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      return fs.statSync(candidate).isFile()
    } catch {
      return false
    }
  })
}

export const inCi = () => /^(1|true|yes)$/i.test(process.env["CI"] ?? "")

/** The test file being collected, relative to the repository, for the skip list. */
const currentTestFile = (): string => {
  const testPath = expect.getState().testPath
  return testPath === undefined ? "(unknown test file)" : path.relative(process.cwd(), testPath)
}

export const recordSkip = (reason: string) => {
  const log = process.env[SKIP_LOG_VARIABLE]
  if (log === undefined) return
  fs.appendFileSync(log, `${JSON.stringify({ file: currentTestFile(), reason })}\n`)
}

/**
 * Why the tests needing `program` cannot run here, or undefined when they can.
 * Throws under CI=true when the program is missing.
 */
export const requireProgram = (program: string, debianPackage: string): string | undefined => {
  if (findProgram(program) !== undefined) return undefined
  const reason = `${path.basename(program)} is not installed (Debian package ${debianPackage})`
  if (inCi()) throw new Error(`${reason}: CI=true runs every test, so install it (.ci/run does)`)
  recordSkip(reason)
  return reason
}

/** The first missing program of several, or undefined when all are present. */
export const requirePrograms = (
  programs: ReadonlyArray<readonly [program: string, debianPackage: string]>
): string | undefined => {
  for (const [program, debianPackage] of programs) {
    const reason = requireProgram(program, debianPackage)
    if (reason !== undefined) return reason
  }
  return undefined
}

/**
 * Declares that every test of the calling file (called at its top level) or
 * describe block (called inside it) needs `program`: when it is missing, each
 * is skipped with the one line naming the Debian package. Returns that line,
 * so code run while collecting the tests (reading a fixture) can be left out.
 * Under CI=true the file fails instead, as with `requireProgram`.
 */
export const testsNeedProgram = (program: string, debianPackage: string): string | undefined => {
  const missing = requireProgram(program, debianPackage)
  if (missing !== undefined) beforeEach((context) => context.skip(missing))
  return missing
}
