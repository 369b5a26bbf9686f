/**
 * `superdarn-hub dmap dump FILE...` and `superdarn-hub dmap info FILE...`:
 * look inside DMAP files (plain, .bz2 or .gz, recognised by content).
 *
 * Only the commands' definitions live here, as every command line loads
 * them for `--help`; the decoding and printing (dmap-files.ts) is imported
 * when one of the commands runs.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"

const files = Args.text({ name: "FILE" }).pipe(
  Args.withDescription("a DMAP file: plain, bzip2 or gzip compressed (recognised by content)"),
  Args.atLeast(1)
)

type DmapFiles = typeof import("./dmap-files.js")

/** Runs `run` with the implementation loaded and stdout/stderr provided; the exit status set on failure. */
const withDmapFiles = (run: (dmap: DmapFiles) => ReturnType<DmapFiles["dumpFiles"]>) =>
  Effect.flatMap(
    Effect.promise(() => import("./dmap-files.js")),
    (dmap) => dmap.exitNonZeroOnFailure(run(dmap)).pipe(Effect.provide(dmap.DmapOutputLive))
  )

const dumpCommand = Command.make("dump", { files }, ({ files }) => withDmapFiles((dmap) => dmap.dumpFiles(files))).pipe(
  Command.withDescription(
    "Print every record as one JSON object per line: keys in file order, arrays nested in their " +
      "user-facing shape, NaN/Infinity as strings, 64-bit integers exact"
  )
)

const infoCommand = Command.make("info", { files }, ({ files }) => withDmapFiles((dmap) => dmap.infoFiles(files))).pipe(
  Command.withDescription("Print per file: records, format (guessed from the fields), stations, time span and bytes")
)

export const dmapCommand = Command.make("dmap").pipe(
  Command.withDescription("Look inside DMAP files (fitacf, rawacf, iqdat, grid, map, snd)"),
  Command.withSubcommands([dumpCommand, infoCommand])
)
