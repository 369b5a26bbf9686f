/**
 * Start-up floor: Effect's runtime and nothing else. One effect that prints
 * a line, run the way our commands run: as the main fiber under NodeRuntime.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"

NodeRuntime.runMain(Console.log("superdarn-hub"), { disableErrorReporting: true })
