/**
 * Test support for the archive tests: a temporary archive tree, a config for
 * it, real bzip2/gzip files made with the system tools, and the layer that
 * runs collections against a real SQLite journal in the same folder. A test
 * file that makes bzip2 files, or collects (the pipeline runs bzip2 or
 * lbzip2), says so with `testsNeedProgram("bzip2", "bzip2")`.
 */
import { Effect, Layer, Schema } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { archiveLayer } from "../../src/cli/archive-layers.js"
import { encodeRecord } from "../../src/dmap/encode.js"
import { DmapType } from "../../src/dmap/types.js"
import { ArchiveConfig } from "../../src/layers/archive/config/archive-config.js"
import { TransferProgress } from "../../src/layers/archive/TransferProgress.js"
import { FIXTURES_DIR } from "../support/fixtures.js"

export const FIXTURES = FIXTURES_DIR

/** Real DMAP content (decompressed rawacf), made unique per file by one more record carrying a tag. */
const rawacf = fs.readFileSync(path.join(FIXTURES, "test.rawacf"))
export const content = (tag: string): Buffer =>
  Buffer.concat([rawacf, encodeRecord({ scalars: [{ name: "tag", type: DmapType.string, value: tag }], arrays: [] })])

/** A log's text content, unique per tag. */
export const logText = (tag: string): Buffer => Buffer.from(`2024-01-01 00:00:00 scheduler started (${tag})\n`)

export const bzip2 = (data: Uint8Array): Buffer => {
  const result = spawnSync("bzip2", ["-c"], { input: data, maxBuffer: 1 << 30 })
  if (result.error !== undefined) {
    throw new Error(
      `cannot run bzip2 (Debian package bzip2; the test file should call testsNeedProgram): ${result.error.message}`
    )
  }
  if (result.status !== 0) throw new Error(`bzip2 failed: ${result.stderr.toString()}`)
  return result.stdout
}
export const gzip = (data: Uint8Array): Buffer => zlib.gzipSync(data)

/**
 * The 14-byte bzip2 stream of empty input, as `bzip2 -c </dev/null` writes
 * it: the header "BZh9", the end-of-stream magic and a zero CRC. `bzip2 -t`
 * accepts it. Written out so that loading this module needs no bzip2.
 */
export const EMPTY_BZIP2 = Buffer.from("425a683917724538509000000000", "hex")

/** YYYYMMDD of a UTC instant. */
export const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll("-", "")

/** A day safely in the past but in the current UTC year, so no date warning applies. */
export const pastDay = (): string => {
  const now = Date.now()
  const yearStart = Date.UTC(new Date(now).getUTCFullYear(), 0, 1)
  return ymd(Math.max(yearStart, now - 2 * 86_400_000))
}

export const dataName = (radar: string, type: string, hhmm = "0000", day = pastDay(), suffix = ".bz2") =>
  `${day}.${hhmm}.00.${radar}.${type}${suffix}`

export interface ArchiveTree {
  readonly root: string
  readonly source: string
  readonly archiveRoot: string
  readonly stagingRoot: string
  readonly holdingDir: string
  readonly quarantineDir: string
  readonly workDir: string
  readonly journal: string
}

export const makeTree = (): ArchiveTree => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
  const tree = {
    root,
    source: path.join(root, "source"),
    archiveRoot: path.join(root, "archive"),
    stagingRoot: path.join(root, "staging"),
    holdingDir: path.join(root, "holding"),
    quarantineDir: path.join(root, "quarantine"),
    workDir: path.join(root, "work"),
    journal: path.join(root, "journal.sqlite")
  }
  fs.mkdirSync(tree.source)
  return tree
}

/** A scoped temporary tree, removed when the test's scope closes. */
export const scopedTree = Effect.acquireRelease(
  Effect.sync(makeTree),
  (tree) => Effect.sync(() => fs.rmSync(tree.root, { recursive: true, force: true }))
)

/** An old modification time, so files count as settled. */
export const SETTLED_MTIME = new Date(Date.now() - 3_600_000)

export const writeSourceFile = (dir: string, name: string, data: Uint8Array, mtime: Date = SETTLED_MTIME) => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, data)
  fs.utimesSync(file, mtime, mtime)
  return file
}

type Json = Record<string, unknown>

/** Config JSON for `tree` with one institution; override any field. */
export const configJson = (tree: ArchiveTree, institution: Json = {}, global: Json = {}): Json => ({
  archiveRoot: tree.archiveRoot,
  stagingRoot: tree.stagingRoot,
  holdingDir: tree.holdingDir,
  quarantineDir: tree.quarantineDir,
  workDir: tree.workDir,
  minFreeMegabytes: 0,
  ...global,
  institutions: [{
    id: "vt",
    name: "Virginia Tech",
    radars: { bks: ["rawacf", "iqdat", "scdlog", "fitacf"], fhe: ["rawacf"] },
    source: { kind: "local", path: tree.source },
    hash: "none",
    disposition: "delete",
    staging: true,
    schedule: "15 minutes",
    ...institution
  }]
})

export const decodeConfig = (json: Json) => Schema.decodeUnknownSync(ArchiveConfig)(json)

export const testLayer = (tree: ArchiveTree, config: ArchiveConfig) =>
  archiveLayer(config, { journalPath: tree.journal, progress: TransferProgress.silent })

/** Every file under `dir`, relative, sorted ("" when missing). */
export const listTree = (dir: string): ReadonlyArray<string> => {
  if (!fs.existsSync(dir)) return []
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort()
}

/** The archive's data files: `listTree` without the monthly `<yyyymm>.hashes` manifests (manifest.test.ts reads those). */
export const listArchive = (dir: string): ReadonlyArray<string> =>
  listTree(dir).filter((file) => !file.endsWith(".hashes"))

export const provideArchive = (tree: ArchiveTree, config: ArchiveConfig) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(effect, Layer.fresh(testLayer(tree, config)))
