/**
 * The radar list, radars.config.json, in the format operators already use:
 * `{ "kod": { "host": "10.0.0.5", "port": 9999 }, ... }`, keyed by 3-letter
 * site code, with optional `enabled`, `maxFrameBytes` and `stallSeconds`.
 *
 * Every value is checked by a Schema and a bad one stops start-up with one
 * message per problem naming the file, the key and what was expected, e.g.
 * `radars.config.json: "kod.port" must be an integer 1-65535, got "99a"`.
 * A site code missing from the SuperDARN radar table is allowed (new and
 * test radars exist) but logged as a warning.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as net from "node:net"
import { radarTable } from "../../domain/radar-table.js"
import { describeUnknown } from "../../domain/unknown-error.js"
import { DEFAULT_MAX_FRAME_BYTES } from "../../streams/connex-framer.js"
import { AppConfig } from "../platform/AppConfig.js"

/** One TCP radar as configured. */
export interface RadarEndpoint {
  readonly site: string
  readonly host: string
  readonly port: number
  readonly enabled: boolean
  readonly maxFrameBytes: number
  /** Overrides STALL_SECONDS for this radar. */
  readonly stallSeconds: number | undefined
}

export class RadarsConfigError extends Data.TaggedError("RadarsConfigError")<{
  readonly path: string
  /** One line per problem, each naming its key. */
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return this.problems.map((problem) => `${this.path}: ${problem}`).join("\n")
  }
}

const expected = (text: string) => ({ message: () => ({ message: text, override: true }) })

/**
 * A JSON number or a string of decimal digits: both appear in hand-written
 * files. `Number()` would also read "0x18b1", "1e3" and " 6321 "; none of
 * those is what an operator means by a port, so they are refused.
 */
const DecimalDigits = Schema.String.pipe(Schema.pattern(/^[0-9]{1,10}$/), Schema.compose(Schema.NumberFromString))
const IntegerIn = (min: number, max: number, what: string) =>
  Schema.Union(Schema.Number, DecimalDigits).pipe(
    Schema.int(),
    Schema.between(min, max),
    Schema.annotations(expected(what))
  )

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

/**
 * A host name, an IPv4 address, or an IPv6 address bare (`::1`) or in
 * brackets (`[::1]`, as in URLs); brackets are removed, since a socket
 * connects to the address inside them.
 */
const Host = Schema.transformOrFail(Schema.String, Schema.String, {
  strict: true,
  decode: (text, _, ast) => {
    const inner = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text
    if (inner.includes(":")) {
      return net.isIPv6(inner) ? ParseResult.succeed(inner) : ParseResult.fail(new ParseResult.Type(ast, text))
    }
    return inner === text && HOST_NAME.test(text)
      ? ParseResult.succeed(text)
      : ParseResult.fail(new ParseResult.Type(ast, text))
  },
  encode: (host) => ParseResult.succeed(net.isIPv6(host) ? `[${host}]` : host)
}).annotations(expected("must be a host name or IP address (IPv6 as ::1 or [::1])"))

const SETTINGS = ["host", "port", "enabled", "maxFrameBytes", "stallSeconds"] as const

const RadarEntry = Schema.Struct({
  host: Host,
  port: IntegerIn(1, 65535, "must be an integer 1-65535"),
  enabled: Schema.optionalWith(Schema.Boolean.annotations(expected("must be true or false")), { exact: true }),
  maxFrameBytes: Schema.optionalWith(
    IntegerIn(1024, 1024 * 1024 * 1024, "must be an integer 1024-1073741824 (bytes)"),
    { exact: true }
  ),
  stallSeconds: Schema.optionalWith(IntegerIn(1, 86_400, "must be an integer 1-86400 (seconds)"), { exact: true })
})

const decodeEntry = Schema.decodeUnknownEither(RadarEntry, { errors: "all", onExcessProperty: "error" })

const SITE_CODE = /^[a-z]{3}$/

const show = (value: unknown): string => (value === undefined ? "nothing" : JSON.stringify(value))

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export interface ParsedRadarsConfig {
  /** In file order, disabled radars included. */
  readonly radars: ReadonlyArray<RadarEndpoint>
  /** Well-formed codes that the SuperDARN radar table does not know. */
  readonly unknownSites: ReadonlyArray<string>
}

/**
 * Keys given twice in one object, which JSON.parse silently resolves to the
 * last: each as `"<path>" is given twice (lines a and b)`. Only called on
 * text JSON.parse accepted, so strings and nesting are well-formed.
 */
export const duplicateKeys = (text: string): Array<string> => {
  const problems: Array<string> = []
  /** Per open object: its keys (with their lines) and the key path to it; arrays hold undefined. */
  const stack: Array<{ readonly keys: Map<string, number>; readonly path: string } | undefined> = []
  let line = 1
  let lastKey: string | undefined
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === "\n") line++
    if (c === "{") {
      const parent = stack[stack.length - 1]
      const path = parent === undefined || lastKey === undefined
        ? ""
        : parent.path === ""
        ? lastKey
        : `${parent.path}.${lastKey}`
      stack.push({ keys: new Map(), path })
      lastKey = undefined
    } else if (c === "[") {
      stack.push(undefined)
    } else if (c === "}" || c === "]") {
      stack.pop()
    } else if (c === "\"") {
      let end = i + 1
      while (text[end] !== "\"") end += text[end] === "\\" ? 2 : 1
      const value = JSON.parse(text.slice(i, end + 1)) as string
      // A string is a key when the next non-blank character is a colon.
      let next = end + 1
      while (/\s/.test(text[next] ?? "")) next++
      const object = stack[stack.length - 1]
      if (text[next] === ":" && object !== undefined) {
        const where = object.path === "" ? value : `${object.path}.${value}`
        const first = object.keys.get(value)
        if (first !== undefined) problems.push(`"${where}" is given twice (lines ${first} and ${line}); keep one`)
        else object.keys.set(value, line)
        lastKey = value
      }
      i = end
    }
    i++
  }
  return problems
}

/** Checks the file's text; pure, so every message can be tested exactly. */
export const parseRadarsConfig = (path: string, text: string): Either.Either<ParsedRadarsConfig, RadarsConfigError> => {
  const refuse = (...problems: Array<string>) => Either.left(new RadarsConfigError({ path, problems }))
  // Editors on Windows save UTF-8 with a byte order mark; it is not part of the JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (error) {
    return refuse(`is not valid JSON: ${describeUnknown(error)}`)
  }
  const duplicates = duplicateKeys(body)
  if (duplicates.length > 0) return refuse(...duplicates)
  if (!isPlainObject(json)) {
    return refuse(`must be an object of site code to { "host": ..., "port": ... }, got ${show(json)}`)
  }
  const problems: Array<string> = []
  const radars: Array<RadarEndpoint> = []
  const unknownSites: Array<string> = []
  const known = radarTable().byCode
  for (const [site, entry] of Object.entries(json)) {
    if (!SITE_CODE.test(site)) {
      problems.push(`"${site}" must be a 3-letter lower-case site code`)
      continue
    }
    if (!isPlainObject(entry)) {
      problems.push(`"${site}" must be an object with "host" and "port", got ${show(entry)}`)
      continue
    }
    const decoded = decodeEntry(entry)
    if (Either.isLeft(decoded)) {
      for (const issue of ParseResult.ArrayFormatter.formatErrorSync(decoded.left)) {
        const key = String(issue.path[0])
        const what = issue._tag === "Unexpected"
          ? `is not a setting (expected one of ${SETTINGS.join(", ")})`
          : issue._tag === "Missing"
          ? "is required"
          : issue.message
        problems.push(`"${site}.${key}" ${what}${issue._tag === "Missing" ? "" : `, got ${show(entry[key])}`}`)
      }
      continue
    }
    const value = decoded.right
    if (!known.has(site)) unknownSites.push(site)
    radars.push({
      site,
      host: value.host,
      port: value.port,
      enabled: value.enabled ?? true,
      maxFrameBytes: value.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      stallSeconds: value.stallSeconds
    })
  }
  return problems.length > 0 ? refuse(...problems) : Either.right({ radars, unknownSites })
}

/**
 * Reads and checks the file. A missing file is an empty list (a hub may run
 * on the ZeroMQ feed alone), said once in the log.
 */
export const loadRadarsConfig = Effect.fn("RadarsConfig.load")(function*(path: string) {
  const text = yield* Effect.tryPromise({
    try: () => fs.promises.readFile(path, "utf8"),
    catch: (error) => error as NodeJS.ErrnoException
  }).pipe(
    Effect.catchAll((error) =>
      error.code === "ENOENT"
        ? Effect.as(Effect.logWarning(`${path} not found: no TCP radars configured`), "{}")
        : Effect.fail(new RadarsConfigError({ path, problems: [`cannot be read: ${error.message}`] }))
    )
  )
  const parsed = yield* parseRadarsConfig(path, text)
  for (const site of parsed.unknownSites) {
    yield* Effect.logWarning(`${path}: "${site}" is not in the SuperDARN radar table; using it as given`).pipe(
      Effect.annotateLogs("site", site)
    )
  }
  return parsed.radars
})

/** The configured radars, from the file named by RADARS_CONFIG. */
export class RadarsConfig extends Effect.Service<RadarsConfig>()("superdarn-hub/RadarsConfig", {
  effect: Effect.gen(function*() {
    const { radarsConfigPath } = yield* AppConfig
    const radars = yield* loadRadarsConfig(radarsConfigPath)
    return { path: radarsConfigPath, radars } as const
  }),
  dependencies: [AppConfig.Default]
}) {}
