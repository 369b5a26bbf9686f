/** The validated archive configuration and the collector-wide transfer limit. */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ArchiveConfig } from "./config/archive-config.js"

export class ArchiveSettings extends Context.Tag("superdarn-hub/ArchiveSettings")<ArchiveSettings, {
  readonly config: ArchiveConfig
  /** Files in flight across all institutions (`concurrency.global`). */
  readonly globalPermits: Effect.Semaphore
}>() {
  static readonly layer = (config: ArchiveConfig) =>
    Layer.effect(
      ArchiveSettings,
      Effect.map(Effect.makeSemaphore(config.concurrency.global), (globalPermits) => ({ config, globalPermits }))
    )
}
