/**
 * Alerts end to end: radar states in a real RadarRegistry, notices delivered
 * to real HTTP receivers on 127.0.0.1 (one checks the signature, one answers
 * 500, one never answers) and to a real SMTP server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Queue, Redacted } from "effect"
import * as crypto from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { SMTPServer } from "smtp-server"
import { type RadarPhase, type RadarStatus, zeroCounters } from "../../../src/domain/radar-status.js"
import { SIGNATURE_HEADER } from "../../../src/layers/realtime/alert-webhook.js"
import { type AlertPayload, Alerts } from "../../../src/layers/realtime/Alerts.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"

interface Delivery {
  readonly body: string
  readonly signature: string | undefined
}

/** A webhook receiver answering `status`, or never answering when `hang`. */
const receiver = (behaviour: { readonly status?: number; readonly hang?: boolean } = {}) =>
  Effect.gen(function*() {
    const deliveries = yield* Queue.unbounded<Delivery>()
    const server = yield* Effect.acquireRelease(
      Effect.async<http.Server>((resume) => {
        const server = http.createServer((request, response) => {
          let body = ""
          request.setEncoding("utf8")
          request.on("data", (chunk: string) => (body += chunk))
          request.on("end", () => {
            const signature = request.headers[SIGNATURE_HEADER]
            Queue.unsafeOffer(deliveries, { body, signature: typeof signature === "string" ? signature : undefined })
            if (behaviour.hang === true) return
            response.writeHead(behaviour.status ?? 204).end()
          })
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries }
  })

interface Mail {
  readonly to: ReadonlyArray<string>
  readonly body: string
}

const smtpServer = Effect.gen(function*() {
  const mails = yield* Queue.unbounded<Mail>()
  const server = yield* Effect.acquireRelease(
    Effect.async<SMTPServer>((resume) => {
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS", "AUTH"],
        logger: false,
        onData(stream, session, callback) {
          let body = ""
          stream.setEncoding("utf8")
          stream.on("data", (chunk: string) => (body += chunk))
          stream.on("end", () => {
            Queue.unsafeOffer(mails, { to: session.envelope.rcptTo.map((r) => r.address), body })
            callback()
          })
        }
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.async<void>((resume) => server.close(() => resume(Effect.void)))
  )
  return { port: (server.server.address() as AddressInfo).port, mails }
})

const status = (phase: RadarPhase, now: number): RadarStatus => ({
  site: "han",
  transport: "tcp",
  address: "10.0.0.5:9999",
  phase,
  phaseSince: now,
  nextAttemptAt: phase === "backoff" ? now + 5000 : undefined,
  connectedSince: phase === "backoff" ? undefined : now,
  lastRecordAt: phase === "receiving" ? now : undefined,
  counters: zeroCounters,
  lastError: phase === "backoff" ? "connect ECONNREFUSED 10.0.0.5:9999" : undefined
})

const pause = (ms: number) => Effect.sleep(Duration.millis(ms))
const SECRET = "s3cret"
const HOLD_MS = 800

describe("alerts", () => {
  it.scopedLive(
    "a flapping radar: one signed \"down\" and one \"back\" per receiver and by mail; failing and hanging receivers block nothing",
    () =>
      Effect.gen(function*() {
        const good = yield* receiver()
        const failing = yield* receiver({ status: 500 })
        const hanging = yield* receiver({ hang: true })
        const smtp = yield* smtpServer
        const registry = yield* RadarRegistry
        yield* registry.put(status("receiving", Date.now()))
        const alerts = yield* Layer.build(Alerts.layer({
          hold: Duration.millis(HOLD_MS),
          stall: Duration.hours(1),
          // The hanging and failing receivers come first: the good one must not wait for them.
          webhookUrls: [hanging.url, failing.url, good.url],
          webhookSecret: Redacted.make(SECRET),
          email: {
            smtp: { host: "127.0.0.1", port: smtp.port, secure: false },
            from: "hub@example.edu",
            to: ["ops@example.edu"]
          },
          poll: Duration.millis(20),
          webhookPolicy: { tries: 3, timeout: Duration.millis(300), retryDelay: Duration.millis(50) }
        })).pipe(Effect.map((context) => context.unsafeMap.get(Alerts.key) as Alerts["Type"]))

        // Flapping: away 60 ms, back 60 ms, for well over the hold time.
        const flapUntil = Date.now() + 3 * HOLD_MS
        while (Date.now() < flapUntil) {
          yield* registry.put(status("backoff", Date.now()))
          yield* pause(60)
          yield* registry.put(status("receiving", Date.now()))
          yield* pause(60)
        }
        const down = yield* Queue.take(good.deliveries)
        expect(down.signature).toBe(`sha256=${crypto.createHmac("sha256", SECRET).update(down.body).digest("hex")}`)
        const downPayload = JSON.parse(down.body) as AlertPayload
        expect(downPayload).toMatchObject({ kind: "down", site: "han", outage_s: null })
        expect(downPayload.summary).toMatch(/^han (down|silent) since \d{4}-/)

        // Steady from here: "back" after the hold time, with the outage's length.
        const back = yield* Queue.take(good.deliveries)
        const backPayload = JSON.parse(back.body) as AlertPayload
        expect(backPayload).toMatchObject({ kind: "back", site: "han", since: downPayload.since })
        expect(backPayload.outage_s).toBeGreaterThanOrEqual(Math.round(2 * HOLD_MS / 1000))
        expect(back.signature).toBe(`sha256=${crypto.createHmac("sha256", SECRET).update(back.body).digest("hex")}`)

        const mails = [yield* Queue.take(smtp.mails), yield* Queue.take(smtp.mails)]
        expect(mails.map((m) => m.to)).toEqual([["ops@example.edu"], ["ops@example.edu"]])
        expect(mails[0]!.body).toMatch(/Subject: \[superdarn-hub\] han (down|silent) since/)
        expect(mails[1]!.body).toMatch(/Subject: \[superdarn-hub\] han back after/)

        // Nothing more for this outage, after another hold time of steady receiving.
        yield* pause(2 * HOLD_MS)
        expect(yield* Queue.size(good.deliveries)).toBe(0)
        expect(yield* Queue.size(smtp.mails)).toBe(0)
        // The failing receiver was tried 3 times per notice and given up; the hanging one too (each try timed out).
        const tried = (deliveries: Queue.Queue<Delivery>) =>
          Queue.takeN(deliveries, 6).pipe(
            Effect.map((chunk) => [...chunk].map((d) => (JSON.parse(d.body) as AlertPayload).kind)),
            Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("fewer than 6 tries") })
          )
        expect(yield* tried(failing.deliveries)).toEqual(["down", "down", "down", "back", "back", "back"])
        expect(yield* tried(hanging.deliveries)).toEqual(["down", "down", "down", "back", "back", "back"])
        yield* pause(300)
        expect(yield* Queue.size(failing.deliveries)).toBe(0)
        expect(yield* Queue.size(hanging.deliveries)).toBe(0)
        expect((yield* alerts.recent).map((a) => a.kind)).toEqual(["back", "down"])
      }).pipe(Effect.provide(RadarRegistry.Default)),
    30_000
  )

  it.scopedLive("a radar that is down for good sends \"down\" once; the Canada feed's own entry alerts like a radar", () =>
    Effect.gen(function*() {
      const good = yield* receiver()
      const registry = yield* RadarRegistry
      yield* registry.put({ ...status("backoff", Date.now()), site: "canada", transport: "zmq" })
      yield* Layer.build(Alerts.layer({
        hold: Duration.millis(300),
        stall: Duration.hours(1),
        webhookUrls: [good.url],
        webhookSecret: undefined,
        email: undefined,
        poll: Duration.millis(20)
      }))
      const down = yield* Queue.take(good.deliveries)
      expect(down.signature).toBeUndefined()
      expect(JSON.parse(down.body)).toMatchObject({
        kind: "down",
        site: "canada",
        state: "down",
        detail: "connect ECONNREFUSED 10.0.0.5:9999"
      })
      yield* pause(1000)
      expect(yield* Queue.size(good.deliveries)).toBe(0)
    }).pipe(Effect.provide(RadarRegistry.Default)))
})
