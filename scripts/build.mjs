/**
 * `npm run build`: the command line as ESM bundles in dist/ (esbuild). One
 * entry, src/main.ts (which loads cli/command-line.ts); each command's implementation is a separate chunk
 * loaded by a dynamic import() only when that command runs, so `--help` and
 * `dmap info` do not parse the server's code.
 *
 * Native addons and packages that read their own files at run time stay in
 * node_modules and are imported from there.
 */
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const dist = path.join(root, "dist")
// Built beside dist/ and swapped in only when the build succeeds, so a failed
// build never leaves the tests without a CLI.
const outdir = path.join(root, ".dist-build")

const EXTERNAL = [
  // Native addons (prebuilt .node files located relative to the package).
  "zeromq",
  "better-sqlite3",
  "cpu-features",
  "msgpackr-extract",
  // ssh2 loads its optional native crypto binding with a relative require.
  "ssh2",
  "ssh2-sftp-client",
  // Serves its browser client (/socket.io/socket.io.min.js, used by the
  // status page) from its own client-dist/ folder, found through __dirname.
  "socket.io"
]

/**
 * CommonJS packages that are safe to drop when nothing uses them. esbuild
 * keeps every CommonJS module that is imported at all, as it cannot know the
 * module has no side effects; @effect/platform-node's NodeHttpServer imports
 * its undici HTTP client for a test layer, which put 1 MB of undici in the
 * server's start-up.
 */
const PURE_COMMONJS = /^undici$/

const pureCommonJs = {
  name: "pure-commonjs",
  setup(build) {
    build.onResolve({ filter: PURE_COMMONJS }, async (args) => {
      if (args.pluginData === "resolving") return undefined
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "resolving"
      })
      return { ...resolved, sideEffects: false }
    })
  }
}

/** How every bundle is built: the CLI's, and the start-up floors the bench compares it with. */
const bundleOptions = {
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  minifySyntax: true,
  treeShaking: true,
  external: EXTERNAL,
  chunkNames: "chunks/[name]-[hash]",
  // Bundled CommonJS packages (socket.io, nodemailer, ...) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __superdarnCreateRequire } from \"node:module\"\n" +
      "const require = __superdarnCreateRequire(import.meta.url)"
  },
  plugins: [pureCommonJs],
  logLevel: "warning"
}

/**
 * `--floor DIR`: only the smallest programs on the same stack
 * (bench/startup-floor/), bundled as the CLI is, into DIR; `npm run bench --
 * startup` times them beside the CLI, as the part of its start-up no code of
 * ours can remove.
 */
const floorAt = process.argv.indexOf("--floor")
if (floorAt !== -1) {
  const floorDir = process.argv[floorAt + 1]
  if (floorDir === undefined) throw new Error("--floor needs the folder to build into")
  await esbuild.build({
    ...bundleOptions,
    entryPoints: {
      "effect-runtime": "bench/startup-floor/effect-runtime.ts",
      "effect-cli": "bench/startup-floor/effect-cli.ts"
    },
    outdir: path.resolve(floorDir)
  })
  process.exit(0)
}

fs.rmSync(outdir, { recursive: true, force: true })

const result = await esbuild.build({
  ...bundleOptions,
  entryPoints: { main: "src/main.ts" },
  outdir,
  metafile: process.argv.includes("--metafile")
})

if (result.metafile !== undefined) {
  fs.writeFileSync(path.join(root, ".build-meta.json"), JSON.stringify(result.metafile))
}
fs.chmodSync(path.join(outdir, "main.js"), 0o755)
fs.rmSync(dist, { recursive: true, force: true })
fs.renameSync(outdir, dist)
