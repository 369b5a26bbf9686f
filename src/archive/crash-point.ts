/**
 * TEST-ONLY fault injection: when SDH_CRASH_AT names a step, the process
 * kills itself with SIGKILL right after that step, so the crash tests can
 * prove a rerun resumes without loss or duplication. Unset in production.
 */
import * as Effect from "effect/Effect"

export type CrashPoint =
  | "downloaded"
  | "verified"
  | "compress-written"
  | "compressed-saved"
  | "compressed"
  | "publishing"
  | "stage-linked"
  | "staged"
  | "archive-linked"
  | "archived"
  | "tidy-done"
  | "tidied"

export const CRASH_POINTS: ReadonlyArray<CrashPoint> = [
  "downloaded",
  "verified",
  "compress-written",
  "compressed-saved",
  "compressed",
  "publishing",
  "stage-linked",
  "staged",
  "archive-linked",
  "archived",
  "tidy-done",
  "tidied"
]

export const crashPoint = (point: CrashPoint): Effect.Effect<void> =>
  Effect.sync(() => {
    if (process.env.SDH_CRASH_AT === point) process.kill(process.pid, "SIGKILL")
  })
