import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Logger, LogLevel, Schedule } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { io } from "socket.io-client"
import { demoServerLayer } from "../../src/cli/server-layers.js"
import { HttpServer } from "../../src/layers/platform/HttpServer.js"
import { defaultDemoRadarsOptions } from "../../src/simulate/DemoRadars.js"
import { testsNeedProgram } from "../support/required-program.js"

testsNeedProgram("bzip2", "bzip2")

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const demo = Layer.unwrapScoped(
  Effect.map(tempDir, (dir) =>
    demoServerLayer({ ...defaultDemoRadarsOptions, intervalMs: 100 }).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
        new Map([["HOST", "127.0.0.1"], ["PORT", "0"], ["DATABASE_PATH", path.join(dir, "hub.sqlite")]])
      )))
    ))
)

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() }
  })

const eventually = <A>(effect: Effect.Effect<A, unknown>) =>
  effect.pipe(Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo("15 seconds"))))

describe("the composed server (demo radars)", () => {
  it.live(
    "serves the page, the Socket.IO client, /radars, /health, /metrics and /echoes/, and emits packets",
    () =>
      Effect.gen(function*() {
        const { url } = yield* HttpServer

        const page = yield* get(`${url}/`)
        expect(page.status).toBe(200)
        expect(page.type).toBe("text/html; charset=utf-8")
        // The page loads the client socket.io itself serves.
        const client = yield* get(`${url}/socket.io/socket.io.min.js`)
        expect(client.status).toBe(200)
        expect(client.type).toMatch(/javascript/)

        const socket = io(url, { transports: ["websocket"], reconnection: false })
        yield* Effect.addFinalizer(() => Effect.sync(() => socket.close()))
        const packet = yield* Effect.async<{ site_name: string; time_iso: string }>((resume) => {
          socket.once("sas", (p: { site_name: string; time_iso: string }) => resume(Effect.succeed(p)))
        }).pipe(Effect.timeout("15 seconds"))
        expect(packet.site_name).toBe("sas")
        expect(Math.abs(Date.parse(packet.time_iso) - Date.now())).toBeLessThan(10_000)

        const radars = yield* eventually(Effect.flatMap(get(`${url}/radars`), (r) => {
          const list = JSON.parse(r.body) as Array<{ site: string; phase: string }>
          // Five simulated radars, the site relayed by the fake Canada publisher, and that publisher's own entry.
          return list.length === 7 && list.every((radar) => radar.phase === "receiving")
            ? Effect.succeed(list)
            : Effect.fail("not all receiving yet")
        }))
        expect(radars.map((r) => r.site)).toEqual(["canada", "cly", "inv", "kod", "pgr", "rkn", "sas"])

        const health = yield* get(`${url}/health`)
        expect(health.status).toBe(200)
        const report = JSON.parse(health.body) as {
          status: string
          database: { ok: boolean }
          radars: Record<string, unknown>
        }
        expect(report.database.ok).toBe(true)
        expect(Object.keys(report.radars).sort()).toEqual(["canada", "cly", "inv", "kod", "pgr", "rkn", "sas"])

        const metrics = yield* get(`${url}/metrics`)
        expect(metrics.status).toBe(200)
        expect(metrics.body).toMatch(/^superdarn_hub_packets_emitted_total\{[^}]*site="sas"[^}]*\} [1-9]/m)

        // A scan closes and is stored: /echoes/ has it.
        const echoes = yield* eventually(Effect.flatMap(get(`${url}/echoes/?site_name=sas`), (r) => {
          const body = JSON.parse(r.body) as { timestamp: Array<string> }
          return body.timestamp.length > 0 ? Effect.succeed(body) : Effect.fail("no scan stored yet")
        }))
        expect(echoes.timestamp[0]).toMatch(/Z$/)
      }).pipe(Effect.provide(demo), Effect.scoped, Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))),
    60_000
  )
})
