import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as net from "node:net"
import { decodeRecord } from "../../../src/dmap/decode.js"
import { encodeRecord } from "../../../src/dmap/encode.js"
import { getScalar } from "../../../src/dmap/record.js"
import { makeFakeRtServer } from "../../../src/simulate/fake-rtserver.js"
import { ConnexFramer } from "../../../src/streams/connex-framer.js"
import { testsNeedProgram } from "../../support/required-program.js"
import { northRecords } from "./fixture-records.js"

testsNeedProgram("bzip2", "bzip2")

/** A plain TCP client that frames what it receives, independent of the radar actor. */
const rawClient = (port: number) =>
  Effect.acquireRelease(
    Effect.async<{ readonly socket: net.Socket; readonly frames: Array<Uint8Array>; ended: boolean }, Error>(
      (resume) => {
        const framer = new ConnexFramer()
        const state = { socket: net.connect(port, "127.0.0.1"), frames: [] as Array<Uint8Array>, ended: false }
        state.socket.on("data", (chunk) => {
          framer.push(chunk)
          for (let e = framer.next(); e !== undefined; e = framer.next()) {
            if (e._tag === "Frame") state.frames.push(e.payload)
          }
        })
        state.socket.on("end", () => (state.ended = true))
        state.socket.once("connect", () => resume(Effect.succeed(state)))
        state.socket.once("error", (error) => resume(Effect.fail(error)))
      }
    ),
    (client) => Effect.sync(() => client.socket.destroy())
  )

const until = (done: () => boolean) =>
  Effect.gen(function*() {
    while (!done()) yield* Effect.sleep(5)
  }).pipe(Effect.timeoutFail({ duration: 10_000, onTimeout: () => new Error("condition not reached") }))

describe("fake rtserver", () => {
  it.scopedLive("sends records on demand, in connex frames, byte for byte", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer()
      const client = yield* rawClient(server.port)
      yield* server.awaitClients(1)
      const records = northRecords().slice(0, 3)
      for (const record of records) expect(yield* server.send(record)).toBe(1)
      yield* until(() => client.frames.length === 3)
      expect(client.frames.map((f) => Array.from(f))).toEqual(records.map((r) => Array.from(encodeRecord(r))))
    }))

  it.scopedLive("replays a file at an interval, re-stamped with the current time, and closes after N records", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer({
        records: northRecords().slice(0, 5),
        intervalMs: 1,
        restamp: true,
        disconnectAfter: 3
      })
      const client = yield* rawClient(server.port)
      yield* until(() => client.ended)
      expect(client.frames).toHaveLength(3)
      const first = Either.getOrThrow(decodeRecord(client.frames[0]!))
      expect(getScalar(first, "time.yr")?.value).toBe(new Date().getUTCFullYear())
      expect(getScalar(first, "bmnum")).toEqual(getScalar(northRecords()[0]!, "bmnum"))
    }))

  it.scopedLive("refuses connections until told to accept, on the same port", () =>
    Effect.gen(function*() {
      const server = yield* makeFakeRtServer({ refuseAtStart: true })
      const refused = yield* Effect.either(Effect.scoped(rawClient(server.port)))
      expect(Either.isLeft(refused) && (refused.left as NodeJS.ErrnoException).code).toBe("ECONNREFUSED")
      yield* server.accept
      yield* rawClient(server.port)
      yield* server.awaitAccepted(1)
    }))
})
