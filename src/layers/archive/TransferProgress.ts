/**
 * Progress of long transfers: a bar with bytes and rate on a terminal, one
 * log line per finished file otherwise (systemd, CI, pipes).
 */
import cliProgress from "cli-progress"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface TransferTracker {
  /** Cumulative bytes so far; called from the source's I/O callbacks. */
  readonly update: (bytes: number) => void
  readonly done: Effect.Effect<void>
}

export class TransferProgress extends Context.Tag("superdarn-hub/TransferProgress")<TransferProgress, {
  readonly track: (file: string, totalBytes: number | undefined) => Effect.Effect<TransferTracker>
}>() {
  /** Bars on a TTY, else log lines. */
  static readonly live = Layer.suspend(() =>
    process.stderr.isTTY === true ? TransferProgress.bars : TransferProgress.logLines
  )

  static readonly logLines = Layer.succeed(TransferProgress, {
    track: (file, totalBytes) =>
      Effect.sync(() => {
        const started = Date.now()
        let bytes = 0
        return {
          update: (value: number) => {
            bytes = value
          },
          done: Effect.suspend(() => {
            const seconds = Math.max((Date.now() - started) / 1000, 0.001)
            return Effect.logInfo("archive transfer finished").pipe(
              Effect.annotateLogs({
                file,
                bytes,
                expected: totalBytes ?? "unknown",
                mbPerSecond: (bytes / 1e6 / seconds).toFixed(2)
              })
            )
          })
        }
      })
  })

  static readonly bars = Layer.scoped(
    TransferProgress,
    Effect.gen(function*() {
      const bars = yield* Effect.acquireRelease(
        Effect.sync(() =>
          new cliProgress.MultiBar({
            format: " {bar} {percentage}% | {file} | {value}/{total} bytes | {rate} MB/s",
            clearOnComplete: true,
            hideCursor: true,
            stream: process.stderr
          }, cliProgress.Presets.shades_classic)
        ),
        (bars) => Effect.sync(() => bars.stop())
      )
      return {
        track: (file: string, totalBytes: number | undefined) =>
          Effect.sync(() => {
            const started = Date.now()
            const bar = bars.create(totalBytes ?? 0, 0, { file, rate: "0.00" })
            return {
              update: (bytes: number) => {
                const seconds = Math.max((Date.now() - started) / 1000, 0.001)
                if (totalBytes === undefined) bar.setTotal(bytes)
                bar.update(bytes, { rate: (bytes / 1e6 / seconds).toFixed(2) })
              },
              done: Effect.sync(() => {
                bars.remove(bar)
              })
            }
          })
      }
    })
  )

  /** For tests and dry runs. */
  static readonly silent = Layer.succeed(TransferProgress, {
    track: () => Effect.succeed({ update: () => {}, done: Effect.void })
  })
}
