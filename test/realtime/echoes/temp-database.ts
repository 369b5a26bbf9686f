/** A real SQLite file in a fresh temporary folder, removed when the scope closes. */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** A temporary folder for the current scope. */
export const tempFolder = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "sdh-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** A database file path inside a fresh temporary folder. */
export const tempDatabaseFile = Effect.map(tempFolder, (dir) => path.join(dir, "echoes.sqlite"))
