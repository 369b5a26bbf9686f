/**
 * The bodies of `GET /echoes/`, written directly from the database's value
 * rows: JSON columns and CSV lines, means rounded to whole echoes, times to
 * the second. The only implementation: the query workers run this same
 * function (its source is sent to them), so it must stay self-contained:
 * no imports, no references outside its own body.
 *
 * A row is `[timestamp ms, total, ionospheric, ground scatter, complete 0/1]`.
 * The JSON is byte for byte what `JSON.stringify` gives for the columns
 * object (`timestamp`, `total_echoes`, `ionospheric_echoes`,
 * `total_ionospheric_echoes` (same values, the published name),
 * `ground_scatter_echoes`, `complete`), built without the intermediate
 * object; `Math.round` gives integers, and `String` of an integer (also -0)
 * is what JSON writes.
 */
export type EchoValueRow = readonly [number, number, number, number, number]

export interface EchoSeriesCodec {
  readonly jsonBody: (rows: ReadonlyArray<EchoValueRow>) => string
  readonly csvLines: (rows: ReadonlyArray<EchoValueRow>) => string
  readonly csvHeader: string
}

export const echoSeriesCodec = (): EchoSeriesCodec => {
  const isoSeconds = (ms: number): string => new Date(ms).toISOString().slice(0, 19) + "Z"
  const jsonBody = (rows: ReadonlyArray<EchoValueRow>): string => {
    const n = rows.length
    const times = new Array<string>(n)
    const totals = new Array<number>(n)
    const ionospheric = new Array<number>(n)
    const ground = new Array<number>(n)
    const complete = new Array<string>(n)
    for (let i = 0; i < n; i++) {
      const row = rows[i]!
      times[i] = isoSeconds(row[0])
      totals[i] = Math.round(row[1])
      ionospheric[i] = Math.round(row[2])
      ground[i] = Math.round(row[3])
      complete[i] = row[4] === 1 ? "true" : "false"
    }
    const iono = ionospheric.join(",")
    return `{"timestamp":[${n === 0 ? "" : `"${times.join("\",\"")}"`}],"total_echoes":[${
      totals.join(",")
    }],"ionospheric_echoes":[${iono}],"total_ionospheric_echoes":[${iono}],"ground_scatter_echoes":[${
      ground.join(",")
    }],"complete":[${complete.join(",")}]}`
  }
  const csvLines = (rows: ReadonlyArray<EchoValueRow>): string => {
    let text = ""
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      text += `${isoSeconds(row[0])},${Math.round(row[1])},${Math.round(row[2])},${Math.round(row[3])},${
        row[4] === 1 ? "true" : "false"
      }\n`
    }
    return text
  }
  return {
    jsonBody,
    csvLines,
    csvHeader: "timestamp,total_echoes,ionospheric_echoes,ground_scatter_echoes,complete\n"
  }
}
