/**
 * Messages between the live-feed benchmark and its child processes (Node IPC),
 * and the wire details every process agrees on.
 */

/** Latency histogram resolution: 0.1 ms buckets up to 60 s. */
export const LATENCY_BUCKET_MS = 0.1
export const LATENCY_BUCKETS = 600_000

/** Wall-clock epoch milliseconds with sub-millisecond precision, comparable across processes. */
export const nowMs = (): number => performance.timeOrigin + performance.now()

export type RadarsMessage =
  | { readonly type: "ports"; readonly radars: ReadonlyArray<{ readonly site: string; readonly port: number }> }
  | { readonly type: "connected" }
  | { readonly type: "sent"; readonly records: number }

export type RadarsCommand =
  | { readonly type: "await-connections" }
  | { readonly type: "go"; readonly perSiteHz: number; readonly seconds: number }

export interface ServerStats {
  readonly cpuMs: number
  /** After a full garbage collection where the process can ask for one. */
  readonly rssBytes: number
  /** Packets and frame bytes the history holds (0 for the baseline). */
  readonly historyPackets: number
  readonly historyBytes: number
  readonly peakRssBytes: number
  readonly published: number
  readonly dropped: number
  /** Socket writes of live packets to clients (several packets may share one). */
  readonly writes: number
  /** Records the live feed's hub buffer let slide out because emitting fell behind. */
  readonly feedBehind: number
  /** Upper bounds (ms) of the histogram buckets holding the p50 and p99 of radar-to-broadcast latency. */
  readonly emitP50Ms: number
  readonly emitP99Ms: number
}

export type ServerMessage =
  | { readonly type: "ready"; readonly port: number }
  | { readonly type: "marked"; readonly rssBytes: number }
  | { readonly type: "sent"; readonly records: number }
  | { readonly type: "stats"; readonly stats: ServerStats }

export type ServerCommand =
  | { readonly type: "mark" }
  | { readonly type: "stats" }
  | { readonly type: "exit" }
  /** The baseline server only: send packets itself at this rate, as the radars would. */
  | { readonly type: "go"; readonly sites: number; readonly perSiteHz: number; readonly seconds: number }

export interface ClientStats {
  readonly clients: number
  readonly received: number
  /** Packets whose time stamp could not be read (should stay 0). */
  readonly unreadable: number
  readonly disconnects: number
  /** Counts per latency bucket, as a plain array of [bucket, count] pairs. */
  readonly latency: ReadonlyArray<readonly [number, number]>
}

export type ClientMessage =
  /** Clients connected (of those asked for), and attempts that failed on the way (each retried). */
  | { readonly type: "ready"; readonly connected?: number; readonly connectFailures?: number }
  | { readonly type: "stats"; readonly stats: ClientStats }

export type ClientCommand = { readonly type: "reset" } | { readonly type: "stats" }
