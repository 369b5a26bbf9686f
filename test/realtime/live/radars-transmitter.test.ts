/** Transmitter status and quality counters in `GET /radars` and the `radars` event. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { type RadarStatus, TRANSMITTER_FIELDS, zeroCounters } from "../../../src/domain/radar-status.js"
import { RadarsHttp } from "../../../src/http/radars-http.js"
import { HttpServer } from "../../../src/layers/platform/HttpServer.js"
import { History } from "../../../src/layers/realtime/History.js"
import { Hub } from "../../../src/layers/realtime/Hub.js"
import { LiveFeed } from "../../../src/layers/realtime/LiveFeed.js"
import { RadarRegistry } from "../../../src/layers/realtime/RadarRegistry.js"
import { connectClient } from "./clients.js"
import { httpServerLayer } from "./server-layers.js"

const layer = LiveFeed.Default.pipe(
  Layer.provideMerge(History.layer({ minutes: 0 })),
  Layer.provideMerge(Hub.Default),
  Layer.provideMerge(httpServerLayer(RadarsHttp)),
  Layer.provideMerge(RadarRegistry.Default)
)

const changedAt = Object.fromEntries(TRANSMITTER_FIELDS.map((field, i) => [field, 1_700_000_000_000 + i])) as Record<
  (typeof TRANSMITTER_FIELDS)[number],
  number
>

const sas: RadarStatus = {
  site: "sas",
  transport: "tcp",
  address: "10.0.0.1:9999",
  phase: "receiving",
  phaseSince: 1_700_000_000_000,
  nextAttemptAt: undefined,
  connectedSince: 1_700_000_000_000,
  lastRecordAt: 1_700_000_010_000,
  counters: { ...zeroCounters, records: 9 },
  lastError: undefined,
  transmitter: {
    agc: 0b1010,
    lopwr: 1,
    noiseSearch: 2.5,
    noiseMean: 3.25,
    tfreq: 10_500,
    nave: 22,
    intt: 3,
    ercod: 0,
    cp: 151,
    changedAt
  },
  quality: { stationMismatch: 0, clockSkew: 4, timeBackwards: 1, scanFlag: 0 }
}

const { quality: _quality, transmitter: _transmitter, ...bare } = sas
const han: RadarStatus = { ...bare, site: "han" }

const expectedSas = {
  site: "sas",
  stid: 5,
  name: "Saskatoon",
  operator: expect.any(String),
  transport: "tcp",
  phase: "receiving",
  phaseSince: 1_700_000_000_000,
  connectedSince: 1_700_000_000_000,
  lastRecordAt: 1_700_000_010_000,
  nextAttemptAt: null,
  counters: { ...zeroCounters, records: 9 },
  lastError: null,
  transmitter: {
    agc: 10,
    agcBits: [1, 3],
    lopwr: 1,
    lopwrBits: [0],
    noiseSearch: 2.5,
    noiseMean: 3.25,
    tfreq: 10_500,
    nave: 22,
    intt: 3,
    ercod: 0,
    cp: 151,
    changedAt
  },
  quality: { stationMismatch: 0, clockSkew: 4, timeBackwards: 1, scanFlag: 0 }
}

describe("radar transmitter status and quality", () => {
  it.scopedLive("GET /radars and the radars event carry them, after the existing fields; absent before a record", () =>
    Effect.gen(function*() {
      const { url } = yield* HttpServer
      const registry = yield* RadarRegistry
      yield* registry.put(sas)
      yield* registry.put(han)

      const body = yield* Effect.promise(() => fetch(`${url}/radars`).then((r) => r.json()))
      const [hanEntry, sasEntry] = body as Array<Record<string, unknown>>
      expect(sasEntry).toEqual(expectedSas)
      // Existing fields keep their order; the new ones come last.
      expect(Object.keys(sasEntry!).slice(-2)).toEqual(["transmitter", "quality"])
      expect(hanEntry).not.toHaveProperty("transmitter")
      expect(hanEntry).not.toHaveProperty("quality")

      const client = yield* connectClient(url)
      expect(yield* client.request("radars")).toEqual({ ok: true, radars: 2 })
      const [event] = yield* client.take(1)
      expect(event!.event).toBe("radars")
      expect(event!.args[0]).toEqual(body)
    }).pipe(Effect.provide(layer)))
})
