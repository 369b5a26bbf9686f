/**
 * TEST-ONLY child for crash.test.ts: one collection run for the first
 * institution of a config file, printing each file's outcome as JSON. The
 * test sets SDH_CRASH_AT so the run SIGKILLs itself at one step.
 */
import { Effect, Logger } from "effect"
import { runCollection } from "../../src/archive/collection.js"
import { archiveLayer } from "../../src/cli/archive-layers.js"
import { loadArchiveConfig } from "../../src/layers/archive/config/load-archive-config.js"
import { TransferProgress } from "../../src/layers/archive/TransferProgress.js"

const [configPath, journalPath] = process.argv.slice(2)

const program = Effect.gen(function*() {
  const config = yield* loadArchiveConfig(configPath!)
  const report = yield* runCollection(config.institutions[0]!).pipe(
    Effect.provide(archiveLayer(config, { journalPath: journalPath!, progress: TransferProgress.silent }))
  )
  process.stdout.write(JSON.stringify(report.files.map((file) => [file.name, file.kind])))
})

// stdout carries the outcomes as JSON; log lines (a freed lease, warnings) go to stderr.
const logToStderr = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

Effect.runPromiseExit(program.pipe(Effect.provide(logToStderr))).then((exit) => {
  if (exit._tag === "Failure") {
    process.stderr.write(String(exit.cause))
    process.exitCode = 1
  }
})
