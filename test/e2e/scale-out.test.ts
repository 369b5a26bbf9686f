/**
 * The hub split over processes, as operators run it: two `ingest` processes
 * (a leader and a standby) and two `edge` processes of the built CLI, sharing
 * a real PostgreSQL (through a TCP proxy the test can cut) and a Redis server
 * of the test's own (which it restarts), with a simulated radar and
 * Socket.IO clients on both edges.
 *
 * One radar sends a record every 150 ms throughout. The test checks that
 * every client gets the packets of its rooms in order and never twice, that
 * a SIGKILLed leader is replaced within 10 s while the clients stay connected,
 * that a Redis restart and a PostgreSQL outage each interrupt only what they
 * must, and that no scan is stored twice or lost.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Ref } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import { io, type Socket } from "socket.io-client"
import { makeFakeRtServer } from "../../src/simulate/fake-rtserver.js"
import { readFitacfFile, restampRecord } from "../../src/simulate/fitacf-file.js"
import { fixturePath } from "../support/fixtures.js"
import { scopedPostgresDatabase } from "../support/postgres.js"
import { scopedRedisServer } from "../support/redis-server.js"
import { requireProgram } from "../support/required-program.js"
import { requirePostgres, TEST_DATABASE_URL } from "../support/required-service.js"
import { scopedTcpProxy } from "../support/tcp-proxy.js"
import { builtCliMissing, spawnCli } from "./cli-process.js"

const missing = builtCliMissing ?? requireProgram("redis-server", "redis-server") ??
  requireProgram("bzip2", "bzip2") ?? (await requirePostgres())

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-scale-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const urlOf = (line: string) => /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!

/** A Socket.IO client on an edge: the `sas` packets it got (record times, ms) and its disconnects. */
const scopedClient = (url: string, subscribe: boolean) =>
  Effect.gen(function*() {
    const times: Array<number> = []
    let disconnects = 0
    const socket: Socket = io(url, { transports: ["websocket"] })
    yield* Effect.addFinalizer(() => Effect.sync(() => socket.close()))
    socket.on("sas", (packet: { time_iso: string }) => times.push(Date.parse(packet.time_iso)))
    socket.on("disconnect", () => disconnects++)
    yield* Effect.async<void>((resume) => void socket.once("connect", () => resume(Effect.void)))
    if (subscribe) socket.emit("subscribe", ["sas"])
    return { times, disconnects: () => disconnects }
  })

const waitFor = (what: string, check: () => boolean | Promise<boolean>, within: Duration.DurationInput) =>
  Effect.gen(function*() {
    const deadline = Date.now() + Duration.toMillis(within)
    while (!(yield* Effect.promise(async () => await check()))) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep("100 millis")
    }
  })

const inOrderOnce = (times: ReadonlyArray<number>) => times.every((t, i) => i === 0 || t > times[i - 1]!)

describe.skipIf(missing !== undefined)(
  "scale-out: ingest leader, standby and two edges on Redis and PostgreSQL",
  () => {
    it.live(
      "clients on both edges get every packet in order through a leader's SIGKILL, a Redis restart and a PostgreSQL outage",
      () =>
        Effect.gen(function*() {
          const dir = yield* tempDir
          const redis = yield* scopedRedisServer
          const database = yield* scopedPostgresDatabase
          const target = new URL(TEST_DATABASE_URL)
          const pgProxy = yield* scopedTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
          const proxiedUrl = new URL(database.url)
          proxiedUrl.host = `127.0.0.1:${pgProxy.port}`
          const rows = (text: string) =>
            Effect.promise(async () => {
              const client = new pg.Client({ connectionString: database.url })
              await client.connect()
              try {
                return (await client.query(text)).rows as Array<Record<string, unknown>>
              } finally {
                await client.end()
              }
            })

          const radar = yield* makeFakeRtServer()
          fs.writeFileSync(
            path.join(dir, "radars.config.json"),
            JSON.stringify({ sas: { host: "127.0.0.1", port: radar.port } })
          )
          const env = {
            REDIS_URL: redis.url,
            DATABASE_URL: proxiedUrl.toString(),
            REDIS_KEY_PREFIX: "scale-test:",
            SCAN_IDLE_SECONDS: "600"
          }
          const serve = (role: "ingest" | "edge") =>
            spawnCli(
              ["serve", "--role", role, "--host", "127.0.0.1", "--port", "0", "--config", "radars.config.json"],
              {
                cwd: dir,
                env
              }
            )

          const leader = yield* serve("ingest")
          yield* leader.waitForLine(/leading ingest/, "40 seconds")
          const standby = yield* serve("ingest")
          yield* standby.waitForLine(/listening on/, "40 seconds")
          const edges = [yield* serve("edge"), yield* serve("edge")]
          const urls: Array<string> = []
          for (const edge of edges) urls.push(urlOf(yield* edge.waitForLine(/listening on http/, "40 seconds")))
          const clients = [yield* scopedClient(urls[0]!, true), yield* scopedClient(urls[1]!, false)]

          // The radar: a record every 150 ms, times one second apart, to whichever ingest is connected.
          const records = yield* readFitacfFile(fixturePath("pydarn-north.fitacf.bz2"))
          const base = Date.now() - 300_000
          const sent = yield* Ref.make<Array<{ time: number; receivers: number }>>([])
          yield* radar.awaitClients(1)
          yield* Effect.gen(function*() {
            for (let i = 0;; i++) {
              const time = base + i * 1000
              const receivers = yield* radar.send(restampRecord(records[i % records.length]!, time))
              yield* Ref.update(sent, (s) => [...s, { time, receivers }])
              yield* Effect.sleep("150 millis")
            }
          }).pipe(Effect.forkScoped)

          const sentCount = Effect.map(Ref.get(sent), (s) => s.length)
          const everyClientGot = (n: number) => () => clients.every((c) => c.times.length >= n)

          // 1. Normal operation: both edges deliver, in order.
          yield* waitFor("30 packets on both edges", everyClientGot(30), "30 seconds")
          yield* waitFor("a scan stored by the leader", async () => {
            const client = new pg.Client({ connectionString: database.url })
            await client.connect()
            try {
              return Number((await client.query("SELECT COUNT(*) AS n FROM echo_scans")).rows[0].n) > 0
            } finally {
              await client.end()
            }
          }, "40 seconds")
          const storedBeforeKill = yield* rows("SELECT site_name, channel, timestamp FROM echo_scans")

          // 2. The leader dies: the standby leads within 10 s, the clients stay connected and get packets again.
          const killedAt = Date.now()
          const beforeKill = clients.map((c) => c.times.length)
          yield* leader.signal("SIGKILL")
          yield* standby.waitForLine(/leading ingest/, "15 seconds")
          const takeoverMs = Date.now() - killedAt
          expect(takeoverMs).toBeLessThan(10_000)
          yield* waitFor("packets after the fail-over", () =>
            clients.every((c, i) => c.times.length > beforeKill[i]! + 10), "30 seconds")

          // 3. Redis restarts: everybody reconnects, packets flow again, no process restarted.
          const beforeRedis = clients.map((c) =>
            c.times.length
          )
          yield* redis.stop
          yield* Effect.sleep("1 second")
          yield* redis.start
          yield* waitFor(
            "packets after the Redis restart",
            () => clients.every((c, i) => c.times.length > beforeRedis[i]! + 10),
            "40 seconds"
          )

          // 4. PostgreSQL goes away: /echoes/ says 503, the live feed goes on, scans are stored when it is back.
          const storedBeforeOutage = Number((yield* rows("SELECT COUNT(*) AS n FROM echo_scans"))[0]!.n)
          pgProxy.cut()
          yield* waitFor("/echoes/ answering 503", async () => {
            const response = await fetch(`${urls[0]}/echoes/?site_name=sas`)
            await response.arrayBuffer()
            return response.status === 503
          }, "30 seconds")
          const duringOutage = clients.map((c) => c.times.length)
          yield* waitFor(
            "packets during the outage",
            () => clients.every((c, i) => c.times.length > duringOutage[i]! + 10),
            "30 seconds"
          )
          pgProxy.restore()
          yield* waitFor("scans stored after the outage", async () => {
            const client = new pg.Client({ connectionString: database.url })
            await client.connect()
            try {
              return Number((await client.query("SELECT COUNT(*) AS n FROM echo_scans")).rows[0].n) > storedBeforeOutage
            } finally {
              await client.end()
            }
          }, "60 seconds")
          yield* waitFor(
            "/echoes/ answering again",
            async () => (await fetch(`${urls[0]}/echoes/?site_name=sas`)).ok,
            "30 seconds"
          )

          // Every client: in order, never twice, never disconnected.
          for (const client of clients) {
            expect(inOrderOnce(client.times)).toBe(true)
            expect(client.disconnects()).toBe(0)
          }
          // No scan stored twice; every scan the old leader had stored is still there.
          expect(
            yield* rows(
              "SELECT site_name, channel, timestamp FROM echo_scans GROUP BY site_name, channel, timestamp HAVING COUNT(*) > 1"
            )
          ).toEqual([])
          const after = new Set(
            (yield* rows("SELECT site_name, channel, timestamp FROM echo_scans")).map((r) => JSON.stringify(r))
          )
          for (const row of storedBeforeKill) expect(after.has(JSON.stringify(row))).toBe(true)

          const total = yield* sentCount
          const delivered = (yield* Ref.get(sent)).filter((s) => s.receivers > 0).length
          // The figures the operators asked for, in the test log.
          console.log(
            `scale-out: takeover ${takeoverMs} ms; radar sent ${total} records, ${
              total - delivered
            } while no ingest was connected; ` +
              `clients got ${clients.map((c) => c.times.length).join(" and ")}`
          )
        }).pipe(Effect.scoped),
      240_000
    )
  }
)
