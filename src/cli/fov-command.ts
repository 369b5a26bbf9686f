/**
 * `superdarn-hub fov --site han --date 2018-04-04 [--frang 180] [--rsep 45]
 * [--rxrise 0] [--height 300] [--chisham] [--nrang N] [--geojson]` (or
 * `--stid 10`): a radar's field of view as RST's `RPosGeo` computes it, one
 * JSON line per position (corners, then centres), or a GeoJSON
 * FeatureCollection of the cells.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import { exitOnFailure } from "./startup-failure.js"

export class FovOptionError extends Data.TaggedError("FovOptionError")<{
  readonly option: string
  readonly reason: string
}> {
  override get message(): string {
    return `--${this.option} ${this.reason}`
  }
}

const options = {
  site: Options.text("site").pipe(Options.withDescription("3-letter site code, e.g. han"), Options.optional),
  stid: Options.integer("stid").pipe(
    Options.withDescription("station id instead of --site, e.g. 10"),
    Options.optional
  ),
  date: Options.text("date").pipe(
    Options.withDescription("when (YYYY-MM-DD or an ISO instant, UTC): picks the hardware table's period; default now"),
    Options.optional
  ),
  frang: Options.integer("frang").pipe(Options.withDescription("km to the first range gate"), Options.withDefault(180)),
  rsep: Options.integer("rsep").pipe(Options.withDescription("km per range gate"), Options.withDefault(45)),
  rxrise: Options.integer("rxrise").pipe(
    Options.withDescription("receiver rise time in µs; 0 takes the hardware table's"),
    Options.withDefault(0)
  ),
  height: Options.float("height").pipe(
    Options.withDescription("F-region virtual height fh of the standard model, km"),
    Options.withDefault(300)
  ),
  chisham: Options.boolean("chisham").pipe(Options.withDescription("the Chisham (2008) virtual-height model instead")),
  nrang: Options.integer("nrang").pipe(
    Options.withDescription("range gates; default the table's maximum"),
    Options.optional
  ),
  geojson: Options.boolean("geojson").pipe(Options.withDescription("print a GeoJSON FeatureCollection of the cells"))
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/

/** The instant asked about and how to print it (a date stays a date, as in RST's dumps). */
const parseDate = (text: Option.Option<string>): { at: number; label: string } | FovOptionError => {
  if (Option.isNone(text)) {
    const now = Date.now()
    return { at: now, label: new Date(now).toISOString().slice(0, 10) }
  }
  const value = text.value.trim()
  const at = DATE_ONLY.test(value) ? Date.parse(`${value}T00:00:00Z`) : INSTANT.test(value) ? Date.parse(value) : NaN
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== value.slice(0, 10)) {
    return new FovOptionError({ option: "date", reason: `must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got "${value}"` })
  }
  return { at, label: value }
}

/** stdout closed early (`fov ... | head`): stop writing, nothing more to say. */
class OutputClosed extends Data.TaggedError("OutputClosed")<{}> {}

const write = (text: string) =>
  Effect.async<void, OutputClosed>((resume) => {
    process.stdout.write(text, (error) => resume(error == null ? Effect.void : Effect.fail(new OutputClosed())))
  })

const fov = (flags: Command.Command.ParseConfig<typeof options>) =>
  Effect.gen(function*() {
    // The write callbacks carry EPIPE to us; without a listener Node would also throw it.
    const ignore = () => {}
    yield* Effect.acquireRelease(
      Effect.sync(() => process.stdout.on("error", ignore)),
      () => Effect.sync(() => process.stdout.off("error", ignore))
    )
    const { radarTable } = yield* Effect.promise(() => import("../domain/radar-table.js"))
    const { HardwareTables } = yield* Effect.promise(() => import("../layers/realtime/HardwareTables.js"))
    const { fovGrid, FovError } = yield* Effect.promise(() => import("../geo/field-of-view.js"))
    const { fovGeoJson, fovLines } = yield* Effect.promise(() => import("../geo/fov-output.js"))

    if (Option.isSome(flags.site) === Option.isSome(flags.stid)) {
      return yield* new FovOptionError({ option: "site", reason: "or --stid: give exactly one" })
    }
    const site = Option.isSome(flags.site)
      ? flags.site.value
      : radarTable().byStid.get(Option.getOrThrow(flags.stid))?.code
    if (site === undefined) {
      return yield* new FovOptionError({
        option: "stid",
        reason: `${Option.getOrThrow(flags.stid)} is not in the radar table`
      })
    }
    const date = parseDate(flags.date)
    if (date instanceof FovOptionError) return yield* date
    const params = {
      frang: flags.frang,
      rsep: flags.rsep,
      rxrise: flags.rxrise,
      height: flags.height,
      model: flags.chisham ? "chisham" as const : "standard" as const
    }
    const tables = yield* HardwareTables
    const fov = yield* tables.fieldOfView(site, params, date.at, Option.getOrUndefined(flags.nrang))
    const stid = fov.hardware.period.stid
    if (flags.geojson) {
      const collection = fovGeoJson(fov.corners, fov.hardware.period.lon, { site, stid, date: date.label, ...params })
      return yield* write(`${JSON.stringify(collection)}\n`)
    }
    const centres = fovGrid(fov.hardware.geometry, params, fov.nrang, true)
    if (centres instanceof FovError) return yield* centres
    const lines: Array<string> = []
    for (const line of fovLines({ stid, date: date.label, params }, fov.corners, centres)) {
      lines.push(line)
      if (lines.length === 2048) yield* write(`${lines.splice(0).join("\n")}\n`)
    }
    if (lines.length > 0) yield* write(`${lines.join("\n")}\n`)
  }).pipe(Effect.scoped, Effect.catchTag("OutputClosed", () => Effect.void))

/** The tables from HDW_DIR or the package; their warnings on stderr, as stdout is the data. */
const fovLayer = Effect.gen(function*() {
  const { HardwareTables } = yield* Effect.promise(() => import("../layers/realtime/HardwareTables.js"))
  const { lineLogger } = yield* Effect.promise(() => import("../layers/platform/logging.js"))
  return Layer.merge(
    HardwareTables.Default,
    // runMain has swapped the default logger for the pretty one (on stdout): both go.
    Layer.mergeAll(
      Logger.remove(Logger.defaultLogger),
      Logger.remove(Logger.prettyLoggerDefault),
      Logger.add(Logger.withConsoleError(lineLogger("logfmt")))
    )
  )
}).pipe(Layer.unwrapEffect)

export const fovCommand = Command.make(
  "fov",
  options,
  (flags) => fov(flags).pipe(Effect.provide(fovLayer), exitOnFailure("fov"))
).pipe(
  Command.withDescription("A radar's field of view (cell corners and centres) as RST's RPosGeo computes it")
)
