/**
 * Every radar actor the process runs, merged into one stream of records: one
 * TCP actor per enabled radar of radars.config.json, plus the SuperDARN Canada
 * ZeroMQ actor when CANADA_ADDR is set.
 *
 * Isolation: each actor handles its own failures (counted, logged, retried),
 * so its stream never fails and never ends, and the merge runs every actor
 * concurrently: nothing one radar does can end or hold up another.
 *
 * `records` is cold: running it starts the actors, and each run has its own
 * connections. Run it once (the hub does) and share the records from there.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { RadarRecord } from "../../domain/radar-record.js"
import { AppConfig } from "../../layers/platform/AppConfig.js"
import { RadarRegistry } from "../../layers/realtime/RadarRegistry.js"
import { type RadarEndpoint, RadarsConfig } from "../../layers/realtime/RadarsConfig.js"
import { type CanadaFeedOptions, canadaRecords, DEFAULT_MAX_MESSAGE_BYTES } from "./canada-radar.js"
import { type BackoffPolicy, defaultBackoffPolicy } from "./radar-backoff.js"
import { type TcpRadarOptions, tcpRadarRecords } from "./tcp-radar.js"

/** What a fleet runs; tests and the demo build one directly instead of reading files. */
export interface FleetPlan {
  readonly tcp: ReadonlyArray<TcpRadarOptions>
  readonly canada: CanadaFeedOptions | undefined
}

export interface RadarFleetShape {
  readonly records: Stream.Stream<RadarRecord>
  /** The configured TCP sites; Canada's sites appear in the RadarRegistry as they are seen. */
  readonly tcpSites: ReadonlyArray<string>
}

/** Turns configured radars into actor options; disabled radars are left out. */
export const tcpPlan = (
  radars: ReadonlyArray<RadarEndpoint>,
  defaults: { readonly stallSeconds: number; readonly backoff?: BackoffPolicy }
): ReadonlyArray<TcpRadarOptions> =>
  radars.filter((radar) => radar.enabled).map((radar) => ({
    site: radar.site,
    host: radar.host,
    port: radar.port,
    maxFrameBytes: radar.maxFrameBytes,
    stall: Duration.seconds(radar.stallSeconds ?? defaults.stallSeconds),
    backoff: defaults.backoff ?? defaultBackoffPolicy
  }))

export class RadarFleet extends Context.Tag("superdarn-hub/RadarFleet")<RadarFleet, RadarFleetShape>() {
  /** A fleet of exactly these actors. */
  static readonly make = (plan: FleetPlan): Effect.Effect<RadarFleetShape, never, RadarRegistry> =>
    Effect.map(RadarRegistry, (registry) => {
      const actors: Array<Stream.Stream<RadarRecord, never, RadarRegistry>> = plan.tcp.map(tcpRadarRecords)
      if (plan.canada !== undefined) actors.push(canadaRecords(plan.canada))
      return {
        records: Stream.mergeAll(actors, { concurrency: "unbounded" }).pipe(
          Stream.provideService(RadarRegistry, registry)
        ),
        tcpSites: plan.tcp.map((radar) => radar.site)
      }
    })

  static readonly fromPlan = (plan: FleetPlan): Layer.Layer<RadarFleet, never, RadarRegistry> =>
    Layer.effect(RadarFleet, RadarFleet.make(plan))

  /** The fleet of the process settings: RADARS_CONFIG, CANADA_ADDR, STALL_SECONDS. */
  static readonly Live: Layer.Layer<RadarFleet, Layer.Layer.Error<typeof RadarsConfig.Default>, RadarRegistry> = Layer
    .effect(
      RadarFleet,
      Effect.gen(function*() {
        const settings = yield* AppConfig
        const { radars } = yield* RadarsConfig
        const stall = Duration.seconds(settings.stallSeconds)
        return yield* RadarFleet.make({
          tcp: tcpPlan(radars, { stallSeconds: settings.stallSeconds }),
          canada: Option.match(settings.canadaAddr, {
            onNone: () => undefined,
            onSome: (endpoint) => ({
              host: endpoint.host,
              port: endpoint.port,
              stall,
              maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
              backoff: defaultBackoffPolicy
            })
          })
        })
      })
    ).pipe(Layer.provide(Layer.merge(RadarsConfig.Default, AppConfig.Default)))
}
