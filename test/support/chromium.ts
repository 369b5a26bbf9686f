/**
 * Debian's Chromium driven by playwright-core, for browser tests. The browser
 * is a scoped resource: closed when the test's scope closes, whatever the
 * test did. Flags keep it quiet and offline: no sandbox (containers and CI
 * run as root), no GPU, no background traffic to Google services.
 */
import { Data, Effect, type Scope } from "effect"
import { type Browser, chromium } from "playwright-core"
import { requireProgram } from "./required-program.js"

export const CHROMIUM_PATH = "/usr/bin/chromium"

/** Why browser tests cannot run here, or undefined when they can (under CI=true: throws instead). */
export const chromiumMissing: string | undefined = requireProgram(CHROMIUM_PATH, "chromium")

export class ChromiumLaunchError extends Data.TaggedError("ChromiumLaunchError")<{
  readonly reason: string
}> {
  override get message(): string {
    return `cannot launch ${CHROMIUM_PATH}: ${this.reason}`
  }
}

export const launchChromium: Effect.Effect<Browser, ChromiumLaunchError, Scope.Scope> = Effect.acquireRelease(
  Effect.tryPromise({
    try: () =>
      chromium.launch({
        executablePath: CHROMIUM_PATH,
        timeout: 20_000,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-quic"
        ]
      }),
    catch: (cause) => new ChromiumLaunchError({ reason: String(cause) })
  }),
  (browser) => Effect.promise(() => browser.close())
)
