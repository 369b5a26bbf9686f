/**
 * superdarn-hub's command line: the root command and its subcommands, run
 * by src/main.ts once the process is set up.
 *
 * Start-up cost is paid by every command, `--help` included, so this module
 * and the command modules it imports hold only the commands' definitions
 * (options, descriptions); each command loads its implementation with a
 * dynamic import() when it runs. Deep imports (`@effect/cli/Command`, not
 * `@effect/cli`) because the package barrels pull in code the CLI never runs
 * (YAML and TOML parsers, undici) that the bundler cannot drop.
 */
import * as Command from "@effect/cli/Command"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { packageVersion } from "../domain/package-files.js"
import { archiveCommand } from "./archive-command.js"
import { demoCommand } from "./demo-command.js"
import { dmapCommand } from "./dmap-command.js"
import { fovCommand } from "./fov-command.js"
import { runCommandLine } from "./run-cli.js"
import { serveCommand } from "./serve-command.js"
import { simulateCommand } from "./simulate-command.js"

const root = Command.make("superdarn-hub").pipe(
  Command.withDescription("Realtime and archive data service for the SuperDARN radar network"),
  Command.withSubcommands([
    serveCommand,
    demoCommand,
    simulateCommand,
    dmapCommand,
    archiveCommand,
    fovCommand
  ])
)

const cli = Command.run(root, { name: "superdarn-hub", version: packageVersion() })

// Usage errors, colour and failures the commands let through: see cli/run-cli.ts.
runCommandLine(root, cli, process.argv, { name: "superdarn-hub" }).pipe(
  // What the parser needs, and no more: NodeContext would add the command
  // executor, which loads child_process, net and dgram into every command.
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
