/**
 * The radars of `superdarn-hub demo`: real fitacf records from the bundled
 * fixtures, re-stamped with the current time as they are sent, from simulated
 * radars on 127.0.0.1 that speak the real protocols:
 *
 * - four RST `rtserver`s, one TCP connex feed per site;
 * - one SuperDARN Canada ZeroMQ publisher carrying two more sites, one in
 *   the aggregator form and one in the Borealis v1.1 form.
 *
 * Each site starts at a different record, so the table and the plots do not
 * move in lockstep. The layer also yields the fleet plan that points the
 * server's actors at these simulators.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { CanadaMessageForm } from "../actors/radar/canada-message-form.js"
import { DEFAULT_MAX_MESSAGE_BYTES } from "../actors/radar/canada-radar.js"
import { defaultBackoffPolicy } from "../actors/radar/radar-backoff.js"
import { type FleetPlan, RadarFleet } from "../actors/radar/RadarFleet.js"
import type { DmapRecord } from "../dmap/types.js"
import { packagePath } from "../domain/package-files.js"
import type { RadarTransport } from "../domain/radar-status.js"
import { AppConfig } from "../layers/platform/AppConfig.js"
import { RadarRegistry } from "../layers/realtime/RadarRegistry.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../streams/connex-framer.js"
import { makeFakeCanadaPublisher } from "./fake-canada-publisher.js"
import { makeFakeRtServer } from "./fake-rtserver.js"
import { readFitacfFile, restampRecord } from "./fitacf-file.js"

/** Same depth from src/layers and dist/layers. */
/** The real records the demo replays; they ship with the package. */
export const REPLAY_DIR = packagePath("data", "replay")

export interface DemoRadarsOptions {
  /** Time between two records of one site. */
  readonly intervalMs: number
  readonly fixturesDir: string
}

export const defaultDemoRadarsOptions: DemoRadarsOptions = {
  // Real radars send a beam every 1.5-3 s; a little faster keeps the demo lively.
  intervalMs: 1000,
  fixturesDir: REPLAY_DIR
}

export interface DemoSite {
  readonly site: string
  readonly transport: RadarTransport
  readonly address: string
}

export class DemoRadars extends Context.Tag("superdarn-hub/DemoRadars")<DemoRadars, {
  readonly sites: ReadonlyArray<DemoSite>
  /** The actors that read the simulators. */
  readonly plan: FleetPlan
}>() {}

const TCP_SITES = ["sas", "kod", "pgr", "rkn"] as const
/** The aggregator form names its site; the Borealis form's site comes from the record's stid (inv). */
const CANADA_AGGREGATOR_SITE = "cly"
const RECORDS_BETWEEN_SITES = 23

const rotate = <A>(items: ReadonlyArray<A>, by: number): ReadonlyArray<A> => {
  const start = by % items.length
  return [...items.slice(start), ...items.slice(0, start)]
}

/** Sends `records` forever, each re-stamped now; a failed send is logged and the loop goes on. */
const replayToCanada = (
  send: (record: DmapRecord, form: CanadaMessageForm, site?: string) => Effect.Effect<void, Error>,
  records: ReadonlyArray<DmapRecord>,
  form: CanadaMessageForm,
  intervalMs: number,
  site?: string
) =>
  Effect.gen(function*() {
    for (let i = 0;; i = (i + 1) % records.length) {
      yield* send(restampRecord(records[i]!, Date.now()), form, site).pipe(
        Effect.catchAll((error) =>
          Effect.logWarning("demo publisher could not send").pipe(Effect.annotateLogs({ form, error: error.message }))
        )
      )
      yield* Effect.sleep(Duration.millis(intervalMs))
    }
  })

export const demoRadarsLayer = (options: DemoRadarsOptions = defaultDemoRadarsOptions) =>
  Layer.scoped(
    DemoRadars,
    Effect.gen(function*() {
      const { stallSeconds } = yield* AppConfig
      const stall = Duration.seconds(stallSeconds)
      const stereo = yield* readFitacfFile(`${options.fixturesDir}/pydarn-north.fitacf.bz2`)
      const inuvik = yield* readFitacfFile(`${options.fixturesDir}/inuvik.fitacf`)

      const rtServers = yield* Effect.forEach(TCP_SITES, (site, k) =>
        Effect.map(
          makeFakeRtServer({
            records: rotate(stereo, k * RECORDS_BETWEEN_SITES),
            intervalMs: options.intervalMs,
            loop: true,
            restamp: true
          }),
          (server) => ({ site, server })
        ))

      const publisher = yield* makeFakeCanadaPublisher()
      yield* publisher.awaitSubscribers(1).pipe(
        Effect.zipRight(Effect.all([
          replayToCanada(
            publisher.send,
            rotate(stereo, TCP_SITES.length * RECORDS_BETWEEN_SITES),
            "aggregator",
            options.intervalMs,
            CANADA_AGGREGATOR_SITE
          ),
          replayToCanada(publisher.send, inuvik, "borealis", options.intervalMs * 2)
        ], { concurrency: "unbounded", discard: true })),
        Effect.forkScoped
      )

      return {
        sites: [
          ...rtServers.map(({ server, site }) => ({
            site,
            transport: "tcp" as const,
            address: `${server.host}:${server.port}`
          })),
          { site: CANADA_AGGREGATOR_SITE, transport: "zmq" as const, address: publisher.address },
          { site: "inv", transport: "zmq" as const, address: publisher.address }
        ],
        plan: {
          tcp: rtServers.map(({ server, site }) => ({
            site,
            host: server.host,
            port: server.port,
            maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
            stall,
            backoff: defaultBackoffPolicy
          })),
          canada: {
            host: publisher.host,
            port: publisher.port,
            stall,
            maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
            backoff: defaultBackoffPolicy
          }
        }
      }
    })
  )

/** The fleet that reads the demo's simulators. */
export const DemoFleet: Layer.Layer<RadarFleet, never, DemoRadars | RadarRegistry> = Layer.effect(
  RadarFleet,
  Effect.flatMap(DemoRadars, (demo) => RadarFleet.make(demo.plan))
)
