/** `local`: a mounted folder, read in place. */
import * as Effect from "effect/Effect"
import type { LocalSourceConfig } from "../../layers/archive/config/local-source.js"
import type { CollectorSource } from "../source.js"
import { folderSession } from "./folder-session.js"

export const localSource = (settings: LocalSourceConfig): CollectorSource => {
  const describe = `local ${settings.path}`
  return {
    describe,
    open: Effect.succeed(folderSession({ describe, folder: settings.path, hide: () => false }))
  }
}
