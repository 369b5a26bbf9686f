/**
 * Start-up floor: the smallest command line @effect/cli makes, one command
 * with one option, on the platform layers our command line provides
 * (src/cli/command-line.ts). The bench runs its `--help`.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const greet = Command.make(
  "greet",
  { name: Options.text("name").pipe(Options.withDescription("Whom to greet")) },
  ({ name }) => Console.log(`hello ${name}`)
).pipe(Command.withDescription("Prints a greeting"))

const root = Command.make("floor").pipe(Command.withSubcommands([greet]))

Command.run(root, { name: "floor", version: "0.0.0" })(process.argv).pipe(
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
