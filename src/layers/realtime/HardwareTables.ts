/**
 * The radars' hardware tables (`hdw.dat.<site>`), read once per site from the
 * copy shipped in data/hdw or from `HDW_DIR` (an operator's newer checkout of
 * the SuperDARN hardware repository), and the fields of view computed from
 * them, cached per (site, parameters, hardware period).
 *
 * A malformed line is logged and counted once, when its file is first read;
 * the file's other lines still apply.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { packagePath } from "../../domain/package-files.js"
import {
  FovError,
  fovGrid,
  type FovParameters,
  type PositionGrid,
  type RadarGeometry,
  radarGeometry
} from "../../geo/field-of-view.js"
import { type HardwarePeriod, type HardwareTable, parseHardwareTable, periodIndexAt } from "../../geo/hardware-table.js"

const hardwareLineErrors = Metric.counter("superdarn_hub_hardware_table_line_errors_total", {
  description: "Lines of hardware tables refused (malformed); the rest of each file still applies",
  incremental: true
})

/** No `hdw.dat.<site>` in the hardware folder (or not a site code at all). */
export class NoHardwareTable extends Data.TaggedError("NoHardwareTable")<{
  readonly site: string
  readonly dir: string
}> {
  override get message(): string {
    return /^[a-z]{3}$/.test(this.site)
      ? `no hardware table for "${this.site}" (no hdw.dat.${this.site} in ${this.dir})`
      : `"${this.site}" is not a 3-letter site code`
  }
}

/** The file exists but cannot be read, or has no usable line. */
export class HardwareFileError extends Data.TaggedError("HardwareFileError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.file}: ${this.reason}`
  }
}

/** The table starts after the date asked about. */
export class NoHardwarePeriod extends Data.TaggedError("NoHardwarePeriod")<{
  readonly site: string
  readonly at: number
  readonly firstValid: number
}> {
  override get message(): string {
    return `the hardware table of ${this.site} starts ${new Date(this.firstValid).toISOString()}, after ${
      new Date(this.at).toISOString()
    }`
  }
}

export type HardwareError = NoHardwareTable | HardwareFileError | NoHardwarePeriod

/** A radar's hardware as of one instant. */
export interface RadarHardware {
  readonly site: string
  readonly table: HardwareTable
  readonly period: HardwarePeriod
  /** Which period of the table: with the site, it names the hardware for caching. */
  readonly periodIndex: number
  readonly geometry: RadarGeometry
}

/** The corner grid of a field of view. */
export interface FieldOfView {
  readonly hardware: RadarHardware
  readonly params: FovParameters
  readonly nrang: number
  readonly corners: PositionGrid
}

const FOV_CACHE_ENTRIES = 512

export interface HardwareTablesOptions {
  /** Folder with `hdw.dat.<site>` files. */
  readonly dir: string
}

const make = (options: HardwareTablesOptions) =>
  Effect.gen(function*() {
    const tables = new Map<string, HardwareTable>()
    const fovs = new Map<string, FieldOfView>()

    const table = Effect.fn("HardwareTables.table")(function*(site: string) {
      const cached = tables.get(site)
      if (cached !== undefined) return cached
      // The site becomes part of a path: only a site code may.
      if (!/^[a-z]{3}$/.test(site)) return yield* new NoHardwareTable({ site, dir: options.dir })
      const name = `hdw.dat.${site}`
      const file = path.join(options.dir, name)
      const text = yield* Effect.tryPromise({
        try: () => fs.readFile(file, "latin1"),
        catch: (error) =>
          (error as NodeJS.ErrnoException).code === "ENOENT"
            ? new NoHardwareTable({ site, dir: options.dir })
            : new HardwareFileError({ file, reason: String((error as Error).message) })
      })
      const parsed = parseHardwareTable(file, text)
      for (const problem of parsed.problems) yield* Effect.logWarning(`hardware table line refused: ${problem.message}`)
      if (parsed.problems.length > 0) yield* Metric.incrementBy(hardwareLineErrors, parsed.problems.length)
      if (parsed.periods.length === 0) return yield* new HardwareFileError({ file, reason: "no usable line" })
      tables.set(site, parsed)
      return parsed
    })

    const hardwareAt = Effect.fn("HardwareTables.hardwareAt")(function*(site: string, at: number) {
      const found = yield* table(site)
      const periodIndex = periodIndexAt(found, at)
      if (periodIndex === -1) {
        return yield* new NoHardwarePeriod({ site, at, firstValid: found.periods[0]!.validFrom })
      }
      const period = found.periods[periodIndex]!
      const geometry = radarGeometry(period, found.file)
      if (geometry instanceof FovError) {
        return yield* new HardwareFileError({ file: found.file, reason: geometry.message })
      }
      return { site, table: found, period, periodIndex, geometry } satisfies RadarHardware
    })

    const fieldOfView = Effect.fn("HardwareTables.fieldOfView")(function*(
      site: string,
      params: FovParameters,
      at: number,
      nrang?: number
    ) {
      const hardware = yield* hardwareAt(site, at)
      const gates = nrang ?? hardware.period.maxRangeGates
      if (gates === undefined) {
        return yield* new FovError({
          field: "nrang",
          reason: `is needed: ${hardware.table.file} has no maximum range gates`
        })
      }
      const key =
        `${site}|${hardware.periodIndex}|${params.frang}|${params.rsep}|${params.rxrise}|${params.height}|${params.model}|${gates}`
      const cached = fovs.get(key)
      if (cached !== undefined) {
        // Refresh its place: the map's order is the eviction order.
        fovs.delete(key)
        fovs.set(key, cached)
        return cached
      }
      const corners = fovGrid(hardware.geometry, params, gates, false)
      if (corners instanceof FovError) return yield* corners
      const fov: FieldOfView = { hardware, params, nrang: gates, corners }
      fovs.set(key, fov)
      if (fovs.size > FOV_CACHE_ENTRIES) fovs.delete(fovs.keys().next().value!)
      return fov
    })

    /** Where a radar is and looks now; undefined when it has no usable table (logged by `table`). */
    const siteNow = (site: string) =>
      hardwareAt(site, Date.now()).pipe(
        Effect.map((hardware) => ({
          lat: hardware.period.lat,
          lon: hardware.period.lon,
          boresight: hardware.period.boresight
        })),
        Effect.catchAll(() => Effect.succeed(undefined))
      )

    /** `siteNow` of each site, for the radar list; sites without a table are left out. */
    const positions = (sites: Iterable<string>) =>
      Effect.map(
        Effect.forEach(sites, (site) => Effect.map(siteNow(site), (position) => [site, position] as const)),
        (pairs) =>
          new Map(pairs.flatMap(([site, position]) => (position === undefined ? [] : [[site, position] as const])))
      )

    return { dir: options.dir, table, hardwareAt, fieldOfView, siteNow, positions } as const
  })

export class HardwareTables extends Context.Tag("superdarn-hub/HardwareTables")<
  HardwareTables,
  Effect.Effect.Success<ReturnType<typeof make>>
>() {
  static readonly layer = (options: HardwareTablesOptions) => Layer.effect(HardwareTables, make(options))

  /** `HDW_DIR`, else the tables shipped in the package. */
  static readonly Default = Layer.effect(
    HardwareTables,
    Effect.gen(function*() {
      const dir = yield* Config.string("HDW_DIR").pipe(Config.withDefault(packagePath("data", "hdw")))
      return yield* make({ dir })
    })
  )
}
