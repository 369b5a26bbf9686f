/** The validated archive configuration and the collector-wide transfer limit. */
import { Context, Effect, Layer } from "effect"
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
