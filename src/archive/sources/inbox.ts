/**
 * `inbox`: an upload folder institutions push into. Uploads still in flight
 * are hidden: dot-files and the temporary suffixes of common upload tools
 * (they become visible when renamed into place). A file written in place is
 * held back by the pipeline's settle time instead.
 */
import * as Effect from "effect/Effect"
import type { InboxSourceConfig } from "../../layers/archive/config/inbox-source.js"
import type { CollectorSource } from "../source.js"
import { folderSession } from "./folder-session.js"

const IN_FLIGHT = /^\.|\.(part|partial|tmp|filepart|crdownload|uploading)$/i

export const isUploadInFlight = (name: string): boolean => IN_FLIGHT.test(name)

export const inboxSource = (settings: InboxSourceConfig): CollectorSource => {
  const describe = `inbox ${settings.path}`
  return {
    describe,
    open: Effect.succeed(folderSession({ describe, folder: settings.path, hide: isUploadInFlight }))
  }
}
