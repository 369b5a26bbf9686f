#!/usr/bin/env node
// The formatter: dprint's TypeScript plugin (configured in dprint.json) run
// through @dprint/formatter, the plugin's own JavaScript host. The dprint CLI
// would do the same, but its per-platform binary packages are not all on the
// registry this project installs from, so `npm ci` could not install it.
//
//   node scripts/format.mjs           rewrite files that are not formatted
//   node scripts/format.mjs --check   list them and exit 1 (npm run lint)
import { createFromBuffer } from "@dprint/formatter"
import { getPath } from "@dprint/typescript"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.join(import.meta.dirname, "..")
const config = JSON.parse(fs.readFileSync(path.join(root, "dprint.json"), "utf8"))
const check = process.argv.includes("--check")

const formatter = createFromBuffer(fs.readFileSync(getPath()))
formatter.setConfig({ indentWidth: config.indentWidth, lineWidth: config.lineWidth }, config.typescript)

const FOLDERS = ["src", "test", "bench", "public", "scripts"]
const EXTENSIONS = new Set([".ts", ".js", ".mjs"])
const SKIP = new Set(["node_modules", "fixtures", "vendor"])

const walk = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : walk(full)
    return entry.isFile() && EXTENSIONS.has(path.extname(entry.name)) ? [full] : []
  })

const files = [
  ...FOLDERS.filter((folder) => fs.existsSync(path.join(root, folder))).flatMap((folder) =>
    walk(path.join(root, folder))
  ),
  ...fs.readdirSync(root).filter((name) => /\.(ts|mjs)$/.test(name)).map((name) => path.join(root, name))
]

const different = []
for (const file of files) {
  const text = fs.readFileSync(file, "utf8")
  const formatted = formatter.formatText({ filePath: file, fileText: text })
  if (formatted === text) continue
  different.push(path.relative(root, file))
  if (!check) fs.writeFileSync(file, formatted)
}

if (check && different.length > 0) {
  console.error(`not formatted (run npm run format):\n${different.map((f) => `  ${f}`).join("\n")}`)
  process.exit(1)
}
if (!check && different.length > 0) console.log(`formatted ${different.length} file(s)`)
