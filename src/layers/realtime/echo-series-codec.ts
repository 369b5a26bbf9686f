/**
 * The bodies of `GET /echoes/`, written as bytes directly from the
 * database's value rows: JSON columns and CSV lines, means rounded to whole
 * echoes, times to the second. The only implementation: the query workers
 * run this same function (its source is sent to them), so it must stay
 * self-contained: no imports, no references outside its own body.
 *
 * A row is `[timestamp ms, total, ionospheric, ground scatter, complete 0/1]`.
 * The JSON is byte for byte what `JSON.stringify` gives for the columns
 * object (`timestamp`, `total_echoes`, `ionospheric_echoes`,
 * `total_ionospheric_echoes` (same values, the published name),
 * `ground_scatter_echoes`, `complete`), built without the intermediate
 * object, strings or arrays: a 24 h window is about 1 500 rows and each row
 * would otherwise cost a `Date`, an ISO string and its slice. Times are
 * `toISOString()` cut to the second; the date part is formatted once per day,
 * the time of day from digits. A count is `String(Math.round(x))` (an
 * integer's JSON text, `-0` included), written digit by digit when it fits
 * 32 bits.
 *
 * Each call returns a fresh, exactly sized copy of a scratch buffer the codec
 * keeps, so the worker can transfer it to the main thread without a copy.
 */
export type EchoValueRow = readonly [number, number, number, number, number]

export interface EchoSeriesCodec {
  readonly jsonBody: (rows: ReadonlyArray<EchoValueRow>) => Uint8Array
  readonly csvLines: (rows: ReadonlyArray<EchoValueRow>) => Uint8Array
  readonly csvHeader: string
}

export const echoSeriesCodec = (): EchoSeriesCodec => {
  const DAY_MS = 86_400_000
  /** `Date`'s range (ECMA-262 TimeClip): beyond it `toISOString` throws, and so must we. */
  const MAX_TIME = 8.64e15
  const COMMA = 44
  const QUOTE = 34

  let out = new Uint8Array(1 << 12)
  let at = 0

  const ensure = (bytes: number): void => {
    if (at + bytes <= out.length) return
    let size = out.length * 2
    while (size < at + bytes) size *= 2
    const larger = new Uint8Array(size)
    larger.set(out.subarray(0, at))
    out = larger
  }

  const ascii = (text: string): void => {
    ensure(text.length)
    for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i)
  }

  const isoSeconds = (ms: number): string => new Date(ms).toISOString().slice(0, 19) + "Z"

  /** `YYYY-MM-DDT` of the day last written, or none when that day's year is not four digits. */
  const dayPrefix = new Uint8Array(11)
  let prefixDay = Number.NaN
  let prefixPlain = false

  const twoDigits = (value: number): void => {
    out[at++] = 48 + ((value / 10) | 0)
    out[at++] = 48 + (value % 10)
  }

  /** `isoSeconds(ms)`, without the `Date` and strings for every day after the first. */
  const time = (ms: number): void => {
    // `Date` truncates a fraction of a millisecond toward zero.
    const t = Math.trunc(ms)
    // Beyond Date's range (or NaN) isoSeconds throws its RangeError.
    if (!(t >= -MAX_TIME && t <= MAX_TIME)) return ascii(isoSeconds(ms))
    const day = Math.floor(t / DAY_MS)
    if (day !== prefixDay) {
      const iso = new Date(day * DAY_MS).toISOString()
      prefixDay = day
      // Years outside 0000-9999 are written with a sign and six digits.
      prefixPlain = iso.length === 24
      if (prefixPlain) { for (let i = 0; i < 11; i++) dayPrefix[i] = iso.charCodeAt(i) }
    }
    if (!prefixPlain) return ascii(isoSeconds(ms))
    ensure(20)
    out.set(dayPrefix, at)
    at += 11
    const seconds = Math.floor((t - day * DAY_MS) / 1000)
    twoDigits((seconds / 3600) | 0)
    out[at++] = 58
    twoDigits(((seconds / 60) | 0) % 60)
    out[at++] = 58
    twoDigits(seconds % 60)
    out[at++] = 90
  }

  /** `String(Math.round(x))`. */
  const rounded = (x: number): void => {
    let value = Math.round(x)
    // Not a 32-bit integer (huge, NaN, infinite): what String writes.
    if (value !== (value | 0)) return ascii(String(value))
    ensure(11)
    if (value < 0) {
      out[at++] = 45
      value = -value
    }
    let digits = 1
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++
    at += digits
    for (let i = 1; i <= digits; i++) {
      out[at - i] = 48 + (value % 10)
      value = (value / 10) | 0
    }
  }

  const flag = (complete: number): void => ascii(complete === 1 ? "true" : "false")

  const column = (rows: ReadonlyArray<EchoValueRow>, field: 1 | 2 | 3): void => {
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) {
        ensure(1)
        out[at++] = COMMA
      }
      rounded(rows[i]![field])
    }
  }

  /** What was written, as a buffer of its own (transferable); the scratch is reused. */
  const take = (): Uint8Array => out.slice(0, at)

  const jsonBody = (rows: ReadonlyArray<EchoValueRow>): Uint8Array => {
    at = 0
    ascii("{\"timestamp\":[")
    for (let i = 0; i < rows.length; i++) {
      ensure(2)
      if (i > 0) out[at++] = COMMA
      out[at++] = QUOTE
      time(rows[i]![0])
      ensure(1)
      out[at++] = QUOTE
    }
    ascii("],\"total_echoes\":[")
    column(rows, 1)
    ascii("],\"ionospheric_echoes\":[")
    const ionosphericFrom = at
    column(rows, 2)
    const ionosphericTo = at
    ascii("],\"total_ionospheric_echoes\":[")
    ensure(ionosphericTo - ionosphericFrom)
    out.copyWithin(at, ionosphericFrom, ionosphericTo)
    at += ionosphericTo - ionosphericFrom
    ascii("],\"ground_scatter_echoes\":[")
    column(rows, 3)
    ascii("],\"complete\":[")
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) ascii(",")
      flag(rows[i]![4])
    }
    ascii("]}")
    return take()
  }

  const csvLines = (rows: ReadonlyArray<EchoValueRow>): Uint8Array => {
    at = 0
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      time(row[0])
      ascii(",")
      rounded(row[1])
      ascii(",")
      rounded(row[2])
      ascii(",")
      rounded(row[3])
      ascii(",")
      flag(row[4])
      ascii("\n")
    }
    return take()
  }

  return {
    jsonBody,
    csvLines,
    csvHeader: "timestamp,total_echoes,ionospheric_echoes,ground_scatter_echoes,complete\n"
  }
}
