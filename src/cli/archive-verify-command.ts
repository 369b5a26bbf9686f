/**
 * `superdarn-hub archive verify [--institution X] [--month YYYYMM]`: re-hash
 * the archive's files against its monthly `<yyyymm>.hashes` manifests and
 * report files missing, extra, or changed (bit rot) without changing
 * anything. Exit status 1 when anything differs.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

export class ArchiveDiffers extends Data.TaggedError("ArchiveDiffers")<{
  readonly manifests: number
  readonly problems: number
}> {
  override get message(): string {
    return `${this.problems} difference${
      this.problems === 1 ? "" : "s"
    } between the archive and ${this.manifests} manifest${this.manifests === 1 ? "" : "s"}`
  }
}

const configOption = Options.file("config").pipe(
  Options.withDescription("archive collector config"),
  Options.withDefault("archive.config.json")
)

const MONTH = /^\d{6}$/

export const verifyCommand = Command.make("verify", {
  config: configOption,
  institution: Options.text("institution").pipe(
    Options.withDescription("only the folders of this institution's radars and file types"),
    Options.optional
  ),
  month: Options.text("month").pipe(
    Options.withDescription("only this month's manifests (YYYYMM)"),
    Options.optional
  )
}, ({ config: configPath, institution, month }) =>
  Effect.gen(function*() {
    const [{ loadArchiveConfig }, manifest, { expandLayout }, { printable }] = yield* Effect.promise(() =>
      Promise.all([
        import("../layers/archive/config/load-archive-config.js"),
        import("../archive/manifest.js"),
        import("../archive/archive-paths.js"),
        import("../archive/printable.js")
      ])
    )
    const path = yield* Effect.promise(() => import("node:path"))
    const wantedMonth = Option.getOrUndefined(month)
    if (wantedMonth !== undefined && !MONTH.test(wantedMonth)) {
      return yield* Effect.fail(new Error(`--month must be YYYYMM, got ${JSON.stringify(wantedMonth)}`))
    }
    const config = yield* loadArchiveConfig(configPath)
    const only = Option.getOrUndefined(institution)
    const chosen = only === undefined ? undefined : config.institutions.find((i) => i.id === only)
    if (only !== undefined && chosen === undefined) {
      return yield* Effect.fail(
        new Error(
          `no institution "${only}" in the archive config; known: ${config.institutions.map((i) => i.id).join(", ")}`
        )
      )
    }
    const found = yield* manifest.findManifests(config.archiveRoot, wantedMonth)
    const belongs = (file: string) => {
      if (chosen === undefined) return true
      const yyyymm = path.basename(file).slice(0, 6)
      const folder = path.dirname(file)
      return Object.entries(chosen.radars).some(([radar, types]) =>
        types.some((type) =>
          path.join(
            config.archiveRoot,
            expandLayout(
              config.layout,
              {
                radar,
                type,
                year: Number(yyyymm.slice(0, 4)),
                month: Number(yyyymm.slice(4, 6)),
                day: 1
              } as Parameters<typeof expandLayout>[1]
            )
          ) === folder
        )
      )
    }
    const manifests = found.filter(belongs)
    let problems = 0
    const lines: Array<string> = []
    for (const file of manifests) {
      const check = yield* manifest.verifyManifest(file)
      const relative = printable(path.relative(config.archiveRoot, file))
      const found = [
        ...check.missing.map((name) => `  missing  ${printable(name)}`),
        ...check.changed.map((name) => `  changed  ${printable(name)}`),
        ...check.extra.map((name) => `  extra    ${printable(name)}`),
        ...check.unreadable.map((line) => `  bad line ${printable(line)}`)
      ]
      problems += found.length
      lines.push(
        `${relative}: ${check.checked} listed, ${found.length === 0 ? "ok" : `${found.length} differ`}`,
        ...found
      )
    }
    process.stdout.write(
      `${lines.join("\n")}${lines.length === 0 ? "" : "\n"}${manifests.length} manifests, ${problems} differences\n`
    )
    if (problems > 0) return yield* new ArchiveDiffers({ manifests: manifests.length, problems })
  })).pipe(Command.withDescription("re-hash the archive against its monthly manifests; exit 1 on any difference"))
