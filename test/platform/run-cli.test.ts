import * as Command from "@effect/cli/Command"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { colourWanted, commandPath, logLevelFirst, stripAnsi } from "../../src/cli/run-cli.js"

const leaf = (name: string) => Command.make(name, {}, () => Effect.void)
const root = Command.make("hub").pipe(
  Command.withSubcommands([
    leaf("serve"),
    Command.make("dmap").pipe(Command.withSubcommands([leaf("dump"), leaf("info")]))
  ])
)

describe("run-cli", () => {
  it("finds the command path through nested subcommands, stopping at the first non-command", () => {
    expect(commandPath(root.descriptor, ["dmap", "dump", "dump", "--help"])).toEqual(["dmap", "dump"])
    expect(commandPath(root.descriptor, ["serve", "--port", "1"])).toEqual(["serve"])
    expect(commandPath(root.descriptor, ["--help"])).toEqual([])
    expect(commandPath(root.descriptor, ["dmp"])).toEqual([])
  })

  it("moves --log-level next to the command, where the built-in option is recognised", () => {
    expect(logLevelFirst(["serve", "--port", "0", "--log-level", "debug"], 1)).toEqual([
      "serve",
      "--log-level",
      "debug",
      "--port",
      "0"
    ])
    expect(logLevelFirst(["dmap", "dump", "f", "--log-level=warning"], 2)).toEqual([
      "dmap",
      "dump",
      "--log-level=warning",
      "f"
    ])
    // After `--` everything is an argument.
    expect(logLevelFirst(["dmap", "dump", "--", "--log-level", "x"], 2)).toEqual([
      "dmap",
      "dump",
      "--",
      "--log-level",
      "x"
    ])
  })

  it("uses colour only on a terminal without NO_COLOR", () => {
    expect(colourWanted(true, {})).toBe(true)
    expect(colourWanted(false, {})).toBe(false)
    expect(colourWanted(true, { NO_COLOR: "1" })).toBe(false)
    // The convention: an empty NO_COLOR does not count.
    expect(colourWanted(true, { NO_COLOR: "" })).toBe(true)
    expect(stripAnsi("\u001b[0;1mUSAGE\u001b[0m")).toBe("USAGE")
  })
})
