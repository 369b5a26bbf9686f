/**
 * Benchmark child: what 10 minutes of history cost. Fills a History (as the
 * live feed does: one encoded frame per packet) with 40 sites × 1 record/s ×
 * 10 minutes of the replay's packets and reports the process's memory before
 * and after, each after a full collection (run with --expose-gc).
 */
import { Effect, Either } from "effect"
import { execFileSync } from "node:child_process"
import { decodeRecords } from "../../src/dmap/decode.js"
import { fitacfView } from "../../src/dmap/fitacf.js"
import { History } from "../../src/layers/realtime/History.js"
import { eventFrame } from "../../src/layers/realtime/live-frame.js"
import { livePacket } from "../../src/streams/live-packet.js"
import { REPLAY_FITACF } from "../replay-file.js"

const [sitesText = "40", perSecondText = "1", minutesText = "10"] = process.argv.slice(2)
const sites = Number(sitesText)
const perSecond = Number(perSecondText)
const minutes = Number(minutesText)

const settled = () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed, external: m.external }
}

const program = Effect.gen(function*() {
  const records =
    decodeRecords(new Uint8Array(execFileSync("bzip2", ["-dc", REPLAY_FITACF], { maxBuffer: 1 << 26 }))).records
  const fitacfs = records.flatMap((record) => {
    const view = fitacfView(record)
    return Either.isRight(view) ? [{ record, fitacf: view.right }] : []
  })
  const history = yield* History
  const before = settled()
  const now = Date.now()
  const count = minutes * 60 * perSecond
  for (let i = 0; i < count; i++) {
    const at = now - (count - i) * (1000 / perSecond)
    for (let s = 0; s < sites; s++) {
      const site = `s${String(s).padStart(2, "0")}`
      const source = fitacfs[(i + s) % fitacfs.length]!
      const packet = livePacket({ site, receivedAt: at, ...source })
      if (Either.isLeft(packet)) continue
      history.add(site, at, at + 1000, eventFrame(site, JSON.stringify(packet.right)))
    }
  }
  const after = settled()
  const held = yield* history.stats
  process.send?.({ type: "history-memory", before, after, packets: held.packets, bytes: held.bytes })
})

Effect.runPromise(program.pipe(Effect.provide(History.layer({ minutes })))).then(() => process.exit(0))
