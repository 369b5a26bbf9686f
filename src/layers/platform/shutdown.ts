/**
 * Graceful shutdown, observed and bounded. `NodeRuntime.runMain` turns
 * SIGINT/SIGTERM into an interruption of the main fiber, and `Layer.launch`
 * then closes every layer in reverse order of construction: the radars stop,
 * open scans are stored with `complete = false`, the HTTP and Socket.IO
 * server closes, the database closes. This layer logs the signal and the
 * end of that sequence, and arms a watchdog: a finalizer that hangs (a peer
 * that never answers a close) must not keep a stopped service alive until
 * systemd's SIGKILL, so past the grace period the process says so on stderr
 * and exits 1. A second signal during shutdown exits at once.
 *
 * Build it first (outermost), so its finalizer runs last.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"

export interface ShutdownOptions {
  /** How long the whole close may take after a signal. */
  readonly grace: Duration.DurationInput
  readonly signals: ReadonlyArray<NodeJS.Signals>
}

export const defaultShutdownOptions: ShutdownOptions = {
  grace: "10 seconds",
  signals: ["SIGINT", "SIGTERM"]
}

export const shutdownLayer = (options: ShutdownOptions = defaultShutdownOptions): Layer.Layer<never> =>
  Layer.scopedDiscard(
    Effect.gen(function*() {
      const runSync = Runtime.runSync(yield* Effect.runtime<never>())
      const graceMs = Duration.toMillis(options.grace)
      let watchdog: NodeJS.Timeout | undefined
      let signalledAt: number | undefined

      const onSignal = (signal: NodeJS.Signals) => {
        if (signalledAt !== undefined) {
          // A second Ctrl-C means "now": the operator has seen enough.
          process.stderr.write(`superdarn-hub: second ${signal} during shutdown; exiting now\n`)
          process.exit(1)
        }
        signalledAt = Date.now()
        runSync(Effect.logInfo("shutting down").pipe(Effect.annotateLogs({ signal })))
        watchdog = setTimeout(() => {
          process.stderr.write(`superdarn-hub: shutdown did not finish within ${graceMs} ms; exiting\n`)
          process.exit(1)
        }, graceMs)
        // The watchdog must not be what keeps a finished process alive.
        watchdog.unref()
      }

      yield* Effect.acquireRelease(
        Effect.sync(() => {
          for (const signal of options.signals) process.on(signal, onSignal)
        }),
        () =>
          Effect.gen(function*() {
            for (const signal of options.signals) process.off(signal, onSignal)
            if (watchdog !== undefined) clearTimeout(watchdog)
            if (signalledAt !== undefined) {
              yield* Effect.logInfo("stopped").pipe(Effect.annotateLogs({ shutdown_ms: Date.now() - signalledAt }))
            }
          })
      )
    })
  )

export const ShutdownLive = shutdownLayer()
