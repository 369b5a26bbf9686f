/**
 * The heap policy of the long-running server commands (`serve`, `demo`).
 *
 * V8 doubles its young generation after each scavenge that finds most of
 * what it holds still alive. Start-up is exactly that: module code, layers
 * and tables are allocated young and all survive, so by the time the port
 * is bound the young generation has grown to its 2 × 16 MB maximum, and it
 * stays resident, nearly empty, for the life of the process: about 10 MB of
 * a 94 MB idle server and 20 MB of a 123 MB one with 1000 clients connected.
 * (V8 shrinks it again only in a full collection at low allocation rates,
 * which an idle server never runs.)
 *
 * A server's steady work, a record per radar every few seconds and its
 * packets to clients, allocates little that outlives a scavenge, so the
 * first size serves it: the server commands set the growth factor to 1
 * before any of their code is loaded. Short commands keep V8's default:
 * `--help` and `dmap dump` spend less on scavenges with room to grow.
 */
import * as v8 from "node:v8"

const SERVER_COMMANDS: ReadonlySet<string> = new Set(["serve", "demo"])

/** Whether the command line runs a server (`superdarn-hub serve …`), read before the parser is loaded. */
export const runsServer = (argv: ReadonlyArray<string>): boolean => {
  const command = argv.slice(2).find((arg) => !arg.startsWith("-"))
  return command !== undefined && SERVER_COMMANDS.has(command)
}

/** The young generation keeps its first size for the life of the process. */
export const holdYoungGeneration = (): void => v8.setFlagsFromString("--semi-space-growth-factor=1")
