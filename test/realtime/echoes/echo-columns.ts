/**
 * The `/echoes/` columns of some scans, worked out here from the scans
 * themselves: what the API has always answered for them, for tests to
 * compare its bodies with.
 */
import type { EchoColumns } from "../../../src/http/echoes-body.js"
import type { EchoScan } from "../../../src/streams/scan-window.js"

export const echoColumnsOf = (picked: ReadonlyArray<EchoScan>): EchoColumns => ({
  timestamp: picked.map((s) => new Date(s.timestamp).toISOString().slice(0, 19) + "Z"),
  total_echoes: picked.map((s) => Math.round(s.totalEchoes)),
  ionospheric_echoes: picked.map((s) => Math.round(s.ionosphericEchoes)),
  total_ionospheric_echoes: picked.map((s) => Math.round(s.ionosphericEchoes)),
  ground_scatter_echoes: picked.map((s) => Math.round(s.groundScatterEchoes)),
  complete: picked.map((s) => s.complete)
})
