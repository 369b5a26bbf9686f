/**
 * The live packet a record must become, worked out from the raw DMAP fields
 * by the rules of the issue, written independently of src/streams/live-packet.ts.
 */
import { getArray, getScalar } from "../../../src/dmap/record.js"
import type { DmapRecord } from "../../../src/dmap/types.js"

const scalar = (record: DmapRecord, name: string): number => {
  const found = getScalar(record, name)
  if (found === undefined) throw new Error(`fixture record lacks ${name}`)
  return Number(found.value)
}

const array = (record: DmapRecord, name: string): Array<number> => {
  const found = getArray(record, name)
  return found === undefined ? [] : Array.from(found.data as ArrayLike<number>)
}

const json = (value: number): number | null => (Number.isFinite(value) ? value : null)

/** Control program labels for the cps the tests use, straight from the table. */
export const CP_LABELS: Readonly<Record<number, string>> = {
  153: "stereoscan(153)",
  [-26007]: "stereoscan(-26007)",
  151: "normalscan(151)",
  [-151]: "normalscan(-151)",
  [-3503]: "twofsound(-3503)",
  9999: "unknown(9999)"
}

export const expectedPacket = (site: string, record: DmapRecord) => {
  const nrang = scalar(record, "nrang")
  const slist = array(record, "slist")
  const atGates = (name: string) => {
    const values = array(record, name)
    return Array.from({ length: nrang }, (_, gate) => {
      const echo = slist.indexOf(gate)
      return echo < 0 ? 0 : json(values[echo] ?? 0)
    })
  }
  const us = Math.max(0, scalar(record, "time.us"))
  const seconds = new Date(Date.UTC(
    scalar(record, "time.yr"),
    scalar(record, "time.mo") - 1,
    scalar(record, "time.dy"),
    scalar(record, "time.hr"),
    scalar(record, "time.mt"),
    scalar(record, "time.sc")
  )).toISOString().slice(0, 19)
  const fraction = String(us).padStart(6, "0")
  const cp = scalar(record, "cp")
  const label = CP_LABELS[cp]
  if (label === undefined) throw new Error(`test table lacks cp ${cp}`)
  return {
    site_name: site,
    beam: scalar(record, "bmnum"),
    cp: label,
    frang: scalar(record, "frang"),
    nave: scalar(record, "nave"),
    freq: scalar(record, "tfreq"),
    noise: Math.trunc(scalar(record, "noise.sky")),
    nrang,
    rsep: scalar(record, "rsep"),
    stid: scalar(record, "stid"),
    scan: scalar(record, "scan"),
    gflg: array(record, "gflg"),
    v: array(record, "v").map(json),
    time: `${seconds.replace("T", " ")}.${fraction}`,
    elevation: atGates("elv"),
    power: atGates("p_l"),
    velocity: atGates("v"),
    width: atGates("w_l"),
    g_scatter: atGates("gflg"),
    slist,
    channel: getScalar(record, "channel") === undefined ? 0 : scalar(record, "channel"),
    time_iso: `${seconds}.${fraction}Z`
  }
}

/** A real record changed in the named arrays only (data replaced or the array removed). */
export const withArrays = (
  record: DmapRecord,
  changes: Readonly<Record<string, ((data: Float32Array) => Float32Array) | "remove">>
): DmapRecord => ({
  scalars: record.scalars,
  arrays: record.arrays.flatMap((a) => {
    const change = changes[a.name]
    if (change === undefined) return [a]
    if (change === "remove") return []
    return [{ ...a, data: change(Float32Array.from(a.data as ArrayLike<number>)) }]
  })
})

/** The record as a radar sends a beam without echoes: no slist and no per-echo arrays. */
export const withoutEchoes = (record: DmapRecord): DmapRecord => {
  const echoes = getArray(record, "slist")?.data.length ?? -1
  return { scalars: record.scalars, arrays: record.arrays.filter((a) => a.data.length !== echoes) }
}
