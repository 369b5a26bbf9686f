/**
 * How the command line reads to a person, around @effect/cli's parser:
 *
 * - help has colour only on a terminal, never with NO_COLOR (no-color.org);
 * - a usage mistake is one line on stderr naming the command, plus the
 *   `--help` to run, and exit status 2 (the parser's multi-line doc and the
 *   runtime's JSON dump of its error are not shown);
 * - any other failure a command lets through is one line and exit status 1,
 *   with the full cause only at LOG_LEVEL=debug (or `--log-level debug`);
 * - a nested command's usage line names the whole command
 *   (`$ superdarn-hub dmap dump <FILE>...`, not `$ dump <FILE>...`).
 */
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { debugWanted, startupFailureLine, USAGE_EXIT_CODE } from "./startup-failure.js"

const ANSI = /\u001b\[[0-9;]*m/g

export const stripAnsi = (text: string): string => text.replace(ANSI, "")

/** Colour only for a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export const colourWanted = (isTty: boolean, env: NodeJS.ProcessEnv): boolean =>
  isTty && (env["NO_COLOR"] === undefined || env["NO_COLOR"] === "")

/**
 * The shape of a command descriptor as @effect/cli 0.77 builds it. Its public
 * `getSubcommands` answers one level only (a nested group comes back without
 * its children), so the tree is read here; test/platform/run-cli.test.ts
 * fails if an upgrade changes it.
 */
type DescriptorNode =
  | { readonly _tag: "Standard" | "GetUserInput"; readonly name: string }
  | { readonly _tag: "Map"; readonly command: DescriptorNode }
  | { readonly _tag: "Subcommands"; readonly parent: DescriptorNode; readonly children: ReadonlyArray<DescriptorNode> }

const nodeName = (node: DescriptorNode): string =>
  node._tag === "Map" ? nodeName(node.command) : node._tag === "Subcommands" ? nodeName(node.parent) : node.name

const nodeChildren = (node: DescriptorNode): ReadonlyArray<DescriptorNode> =>
  node._tag === "Map" ? nodeChildren(node.command) : node._tag === "Subcommands" ? node.children : []

/** The subcommand names at the start of `args` (`["dmap", "dump"]` for `dmap dump x.fitacf`). */
export const commandPath = (
  root: Descriptor.Command<unknown>,
  args: ReadonlyArray<string>
): ReadonlyArray<string> => {
  const path: Array<string> = []
  let current = root as unknown as DescriptorNode
  for (const arg of args) {
    const next = nodeChildren(current).find((child) => nodeName(child) === arg)
    if (next === undefined) break
    path.push(arg)
    current = next
  }
  return path
}

/**
 * `--log-level X` moved to just after the command's name. The built-in
 * option is only recognised there: after a flag with a value
 * (`serve --port 0 --log-level debug`) the parser reports it as unknown.
 */
export const logLevelFirst = (args: ReadonlyArray<string>, pathLength: number): ReadonlyArray<string> => {
  const level: Array<string> = []
  const rest: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") {
      rest.push(...args.slice(i))
      break
    }
    if (arg === "--log-level" && i + 1 < args.length) level.push(arg, args[++i]!)
    else if (arg.startsWith("--log-level=")) level.push(arg)
    else rest.push(arg)
  }
  return [...rest.slice(0, pathLength), ...level, ...rest.slice(pathLength)]
}

/** The parser's words for the mistake, as one line. */
const validationText = (error: ValidationError.ValidationError): string => {
  const doc = "error" in error ? error.error : HelpDoc.empty
  const text = stripAnsi(HelpDoc.toAnsiText(doc)).split("\n").map((line) => line.trim()).filter((line) => line !== "")
  return text.join(" ") || error._tag
}

/** The primitive's stock sentence, said of every text option; our descriptions say what the text is. */
const STOCK_TEXT_HELP = /^ *A user-defined piece of text\.\n\n/gm

/**
 * The console the CLI library prints through. Its `log` carries help text
 * (colour removed unless wanted, usage line completed); its `error` carries
 * only the parser's own rendering of a usage error, which `runCommandLine`
 * replaces with one line. Log lines use `unsafe.log`, untouched.
 */
const cliConsole = (name: string, path: ReadonlyArray<string>, colour: boolean): Console.Console => {
  const base = globalThis.console
  // @effect/cli prints a nested command's usage as `$ dump …`: put the command's full name back.
  const usageLine = path.length === 0
    ? undefined
    : new RegExp(`^((?:\u001b\\[[0-9;]*m)*\\$ )${path[path.length - 1]!}\\b`, "gm")
  const render = (text: string) => {
    const plain = (colour ? text : stripAnsi(text)).replace(STOCK_TEXT_HELP, "")
    return usageLine === undefined ? plain : plain.replace(usageLine, `$1${[name, ...path].join(" ")}`)
  }
  return {
    ...Effect.runSync(Console.consoleWith(Effect.succeed)),
    log: (...args: ReadonlyArray<unknown>) =>
      Effect.sync(() => base.log(...args.map((arg) => (typeof arg === "string" ? render(arg) : arg)))),
    error: () => Effect.void
  }
}

/**
 * The parser says "'abc' is not a integer." without naming the flag; the
 * flag is the one that was given that value.
 */
const namingTheFlag = (text: string, args: ReadonlyArray<string>): string => {
  const match = /^'(.*)' is not an? (\w+)\.?$/.exec(text)
  if (match === null) return text
  const [, value, type] = match
  const index = args.findIndex((arg, i) => i > 0 && arg === value && args[i - 1]!.startsWith("--"))
  const inline = args.find((arg) => arg.startsWith("--") && arg.endsWith(`=${value}`))
  const flag = index > 0 ? args[index - 1] : inline?.slice(0, inline.indexOf("="))
  const article = /^[aeiou]/.test(type!) ? "an" : "a"
  return flag === undefined
    ? `'${value}' is not ${article} ${type}`
    : `${flag} must be ${article} ${type}, got "${value}"`
}

/**
 * Runs the parsed command line; every way it can end sets the exit status
 * and leaves nothing for the runtime to report.
 */
export const runCommandLine = <R, E>(
  root: { readonly descriptor: Descriptor.Command<unknown> },
  run: (argv: ReadonlyArray<string>) => Effect.Effect<void, E | ValidationError.ValidationError, R>,
  argv: ReadonlyArray<string>,
  options: { readonly name: string; readonly env?: NodeJS.ProcessEnv; readonly isTty?: boolean }
): Effect.Effect<void, never, R> => {
  const env = options.env ?? process.env
  const args = argv.slice(2)
  const path = commandPath(root.descriptor, args)
  const invocation = [options.name, ...path].join(" ")
  return run([...argv.slice(0, 2), ...logLevelFirst(args, path.length)]).pipe(
    Effect.catchAllCause((cause) =>
      Effect.sync(() => {
        if (Cause.isInterruptedOnly(cause)) return
        const failure = Cause.failureOption(cause)
        if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) {
          if (ValidationError.isHelpRequested(failure.value)) return
          const problem = namingTheFlag(validationText(failure.value), args)
          process.stderr.write(`${invocation}: ${problem}; run '${invocation} --help'\n`)
          process.exitCode = USAGE_EXIT_CODE
          return
        }
        process.stderr.write(`${startupFailureLine(path.join(" "), cause)}\n`)
        if (debugWanted(args, env)) process.stderr.write(`${Cause.pretty(cause)}\n`)
        process.exitCode = 1
      })
    ),
    Effect.withConsole(
      cliConsole(options.name, path, colourWanted(options.isTty ?? process.stdout.isTTY === true, env))
    )
  )
}
