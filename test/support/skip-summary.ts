/**
 * vitest globalSetup: gives every test process one file to record its skips
 * in (required-program.ts writes it), and at the end of the run prints which
 * tests were skipped and why, so a green `npm test` on a machine without
 * sshd or chromium says what it did not check. Runs in vitest's main
 * process, so it must not import vitest's test API.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** The file each test process appends its skips to (required-program.ts); set here for the whole run. */
export const SKIP_LOG_VARIABLE = "SUPERDARN_HUB_TEST_SKIP_LOG"

interface Skip {
  readonly file: string
  readonly reason: string
}

const readSkips = (log: string): ReadonlyArray<Skip> => {
  if (!fs.existsSync(log)) return []
  return fs.readFileSync(log, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Skip)
}

/** The lines printed at the end: one per reason, with the files it skipped. */
export const skipReport = (skips: ReadonlyArray<Skip>): string => {
  const byReason = new Map<string, Set<string>>()
  for (const { file, reason } of skips) byReason.set(reason, (byReason.get(reason) ?? new Set()).add(file))
  const files = new Set(skips.map((s) => s.file))
  return [
    `Tests skipped in ${files.size} file(s) for missing system programs (under CI=true they fail instead):`,
    ...[...byReason].flatMap(([reason, names]) => [`  ${reason}:`, ...[...names].sort().map((name) => `    ${name}`)])
  ].join("\n")
}

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-skips-"))
  const log = path.join(dir, "skips.jsonl")
  // Test processes are forked after this runs, so they inherit the variable.
  process.env[SKIP_LOG_VARIABLE] = log
  return () => {
    const skips = readSkips(log)
    fs.rmSync(dir, { recursive: true, force: true })
    if (skips.length > 0) process.stdout.write(`\n${skipReport(skips)}\n`)
  }
}
