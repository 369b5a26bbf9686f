import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schedule } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { io } from "socket.io-client"
import { fitacfView } from "../../src/dmap/fitacf.js"
import { makeFakeRtServer } from "../../src/simulate/fake-rtserver.js"
import { readFitacfFile, restampRecord } from "../../src/simulate/fitacf-file.js"
import { fixturePath } from "../support/fixtures.js"
import { testsNeedProgram } from "../support/required-program.js"
import { builtCliMissing, listeningUrl, spawnServe } from "./cli-process.js"

testsNeedProgram("bzip2", "bzip2")

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

interface ExpectedScan {
  readonly channel: number
  readonly timestamp: number
  readonly records: number
  readonly complete: 0 | 1
}

/**
 * The scans the first records make, computed here from the scan flags alone:
 * per channel, a scan starts at flag 1 or -1, -2 (sounding) belongs to none,
 * and the last scan of each channel is still open.
 */
const expectedScans = (flags: ReadonlyArray<{ channel: number; scan: number; time: number }>): Array<ExpectedScan> => {
  const byChannel = new Map<number, Array<{ timestamp: number; records: number }>>()
  for (const { channel, scan, time } of flags) {
    if (scan === -2) continue
    const scans = byChannel.get(channel) ?? []
    byChannel.set(channel, scans)
    if (scan === 1 || scan === -1 || scans.length === 0) scans.push({ timestamp: time, records: 0 })
    scans[scans.length - 1]!.records++
  }
  return [...byChannel].flatMap(([channel, scans]) =>
    scans.map((s, i) => ({ channel, ...s, complete: i === scans.length - 1 ? 0 as const : 1 as const }))
  ).sort((a, b) => a.channel - b.channel || a.timestamp - b.timestamp)
}

const untilOk = <A>(effect: Effect.Effect<A, unknown>) =>
  effect.pipe(Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("15 seconds"))))

describe.skipIf(builtCliMissing !== undefined)("serve shuts down gracefully", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it.live(
      `${signal}: connections closed, open scans stored with complete = 0, database closed, exit 0`,
      () =>
        Effect.gen(function*() {
          const dir = yield* tempDir
          const records = (yield* readFitacfFile(fixturePath("pydarn-north.fitacf.bz2"))).slice(0, 40)
          const radar = yield* makeFakeRtServer()
          const databasePath = path.join(dir, "hub.sqlite")
          const serve = yield* spawnServe(dir, [], radar.port)
          const url = yield* listeningUrl(serve)

          // A live client, so shutdown has a connection to close.
          const client = io(url, { transports: ["websocket"], reconnection: false })
          yield* Effect.addFinalizer(() => Effect.sync(() => client.close()))
          yield* Effect.async<void>((resume) => void client.once("connect", () => resume(Effect.void)))

          // Record times one second apart, whole seconds, ending a minute ago.
          const base = Math.floor(Date.now() / 1000) * 1000 - 60_000 - records.length * 1000
          yield* radar.awaitClients(1)
          const sent = records.map((record, i) => restampRecord(record, base + i * 1000))
          for (const record of sent) yield* radar.send(record)

          // Every record through the hub: the radar's counter says so.
          yield* untilOk(Effect.tryPromise(async () => {
            const radars = await (await fetch(`${url}/radars`)).json() as Array<
              { site: string; counters: { records: number } }
            >
            const sas = radars.find((r) => r.site === "sas")
            if (sas === undefined || sas.counters.records < sent.length) throw new Error("records not all received yet")
          }))

          yield* serve.signal(signal)
          const exit = yield* serve.exit("15 seconds")
          expect(exit).toEqual({ code: 0, signal: null })
          expect(serve.stderr.filter((l) => l.trim() !== "")).toEqual([])
          expect(serve.stdout.some((l) => /message="shutting down"/.test(l) && l.includes(`signal=${signal}`))).toBe(
            true
          )
          expect(serve.stdout.some((l) => /message=stopped/.test(l))).toBe(true)

          // Connections closed: the client saw the server go, and the port is free.
          expect(client.connected).toBe(false)
          const port = Number(new URL(url).port)
          const refused = yield* Effect.async<boolean>((resume) => {
            const socket = net.connect(port, "127.0.0.1")
            socket.once("connect", () => {
              socket.destroy()
              resume(Effect.succeed(false))
            })
            socket.once("error", () => resume(Effect.succeed(true)))
          })
          expect(refused).toBe(true)

          // The database was closed cleanly: its WAL was checkpointed and removed.
          expect(fs.existsSync(`${databasePath}-wal`)).toBe(false)

          const flags = sent.map((record) => {
            const fitacf = Either.getOrThrow(fitacfView(record))
            const t = fitacf.time
            return {
              channel: fitacf.channel,
              scan: fitacf.scan,
              time: Date.UTC(t.yr, t.mo - 1, t.dy, t.hr, t.mt, t.sc)
            }
          })
          const expected = expectedScans(flags)
          expect(expected.some((scan) => scan.complete === 0)).toBe(true)

          const rows = yield* Effect.gen(function*() {
            const sql = yield* SqliteClient.SqliteClient
            return yield* sql<{ channel: number; timestamp: number; records: number; complete: number }>`
            SELECT channel, timestamp, record_count AS records, complete FROM echo_scans
            WHERE site_name = 'sas' ORDER BY channel, timestamp`
          }).pipe(Effect.provide(SqliteClient.layer({ filename: databasePath, readonly: true })))
          expect(rows.map((r) => ({ ...r, timestamp: Number(r.timestamp) }))).toEqual(expected)
        }).pipe(Effect.scoped),
      60_000
    )
  }
})

if (builtCliMissing !== undefined) {
  describe("serve shuts down gracefully", () => {
    it.skip(`skipped: ${builtCliMissing}`, () => {})
  })
}
