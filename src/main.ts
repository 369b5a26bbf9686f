#!/usr/bin/env node
/**
 * superdarn-hub: the command line and composition root.
 */
import { Command } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { createRequire } from "node:module"
import { archiveCommand } from "./cli/archive-command.js"
import { demoCommand } from "./cli/demo-command.js"
import { dmapCommand } from "./cli/dmap-command.js"
import { serveCommand } from "./cli/serve-command.js"
import { simulateCommand } from "./cli/simulate-command.js"

const { version } = createRequire(import.meta.url)("../package.json") as { version: string }

const root = Command.make("superdarn-hub").pipe(
  Command.withDescription("Realtime and archive data service for the SuperDARN radar network"),
  Command.withSubcommands([
    serveCommand,
    demoCommand,
    simulateCommand,
    dmapCommand,
    archiveCommand
  ])
)

const cli = Command.run(root, { name: "superdarn-hub", version })

cli(process.argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain({ disableErrorReporting: false }))
