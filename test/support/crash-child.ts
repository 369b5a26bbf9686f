/**
 * Runs `test/archive/crash-child.ts` as a real child process, so a test can
 * SIGKILL the collector at an injected step (SDH_CRASH_AT) and rerun it. The
 * sources are transpiled into a temporary folder once per suite, so these
 * tests need no prior `npm run build`.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import ts from "typescript"

const REPO = path.join(import.meta.dirname, "..", "..")

export interface ChildResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const transpileTree = (from: string, to: string) => {
  for (const entry of fs.readdirSync(from, { withFileTypes: true, recursive: true }) as Array<fs.Dirent>) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue
    const source = path.join(entry.parentPath, entry.name)
    const target = path.join(to, path.relative(from, source)).replace(/\.ts$/, ".js")
    const { outputText } = ts.transpileModule(fs.readFileSync(source, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: source
    })
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, outputText)
  }
}

/** Registers the suite's build and clean-up; returns the child runner. */
export const crashChildSuite = () => {
  let build: string | undefined

  beforeAll(() => {
    build = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))
    transpileTree(path.join(REPO, "src"), path.join(build, "src"))
    transpileTree(path.join(REPO, "test", "archive"), path.join(build, "test", "archive"))
    fs.writeFileSync(path.join(build, "package.json"), JSON.stringify({ type: "module" }))
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(build, "node_modules"))
  })

  afterAll(() => {
    if (build !== undefined) fs.rmSync(build, { recursive: true, force: true })
  })

  const runChild = (configPath: string, journal: string, crashAt: string | undefined) =>
    Effect.async<ChildResult>((resume) => {
      const { SDH_CRASH_AT: _ignored, ...env } = process.env
      const script = path.join(build!, "test", "archive", "crash-child.js")
      const child = spawn(process.execPath, [script, configPath, journal], {
        env: crashAt === undefined ? env : { ...env, SDH_CRASH_AT: crashAt },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk) => (stdout += chunk))
      child.stderr.on("data", (chunk) => (stderr += chunk))
      child.on("close", (code, signal) => resume(Effect.succeed({ code, signal, stdout, stderr })))
      return Effect.sync(() => child.kill("SIGKILL"))
    })

  return { runChild }
}
