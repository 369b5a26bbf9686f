/**
 * The two bodies of `GET /echoes/`: JSON columns and CSV lines. Means are
 * rounded to whole echoes here, at the edge, as the API always has.
 */
import type { EchoPoint } from "../layers/realtime/EchoStore.js"
import { formatIsoSeconds } from "../domain/iso-instant.js"

export interface EchoColumns {
  readonly timestamp: Array<string>
  readonly total_echoes: Array<number>
  readonly ionospheric_echoes: Array<number>
  /** Same values as `ionospheric_echoes`: the published API documentation uses this name. */
  readonly total_ionospheric_echoes: Array<number>
  readonly ground_scatter_echoes: Array<number>
}

export const echoColumns = (points: Iterable<EchoPoint>): EchoColumns => {
  const columns: EchoColumns = {
    timestamp: [],
    total_echoes: [],
    ionospheric_echoes: [],
    total_ionospheric_echoes: [],
    ground_scatter_echoes: []
  }
  for (const point of points) {
    const ionospheric = Math.round(point.ionospheric_echoes)
    columns.timestamp.push(formatIsoSeconds(point.timestamp))
    columns.total_echoes.push(Math.round(point.total_echoes))
    columns.ionospheric_echoes.push(ionospheric)
    columns.total_ionospheric_echoes.push(ionospheric)
    columns.ground_scatter_echoes.push(Math.round(point.ground_scatter_echoes))
  }
  return columns
}

export const CSV_HEADER = "timestamp,total_echoes,ionospheric_echoes,ground_scatter_echoes\n"

/** CSV lines for a page of points, as one string so a page costs one write. */
export const csvLines = (points: Iterable<EchoPoint>): string => {
  let text = ""
  for (const point of points) {
    text += `${formatIsoSeconds(point.timestamp)},${Math.round(point.total_echoes)},${
      Math.round(point.ionospheric_echoes)
    },${Math.round(point.ground_scatter_echoes)}\n`
  }
  return text
}
