/**
 * ISO 8601 date-times as HTTP query parameters. `Date.parse` alone would read
 * a zone-less time as local time and roll 2025-02-30 over to March, so the
 * fields are matched and checked here; a time without a zone is UTC.
 */
import { Option } from "effect"

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+\- ]\d{2}:?\d{2})?)?$/i

/**
 * Epoch milliseconds of `text`, or none when it is not a real ISO 8601
 * date or date-time. A zone written " 02:00" is read as "+02:00": that is
 * what an unencoded "+" in a query string arrives as.
 */
export const parseIsoInstant = (text: string): Option.Option<number> => {
  const match = ISO_8601.exec(text.trim())
  if (match === null) return Option.none()
  const [, yr, mo, dy, hr = "0", mt = "0", sc = "0", fraction = "", zone = "Z"] = match
  const fields = [Number(yr), Number(mo) - 1, Number(dy), Number(hr), Number(mt), Number(sc)] as const
  const local = Date.UTC(...fields)
  const check = new Date(local)
  const real = check.getUTCFullYear() === fields[0] && check.getUTCMonth() === fields[1] &&
    check.getUTCDate() === fields[2] && check.getUTCHours() === fields[3] && check.getUTCMinutes() === fields[4] &&
    check.getUTCSeconds() === fields[5]
  if (!real) return Option.none()
  const ms = fraction === "" ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)
  if (zone.toUpperCase() === "Z") return Option.some(local + ms)
  const sign = zone.startsWith("-") ? -1 : 1
  const digits = zone.slice(1).replace(":", "")
  const offsetHours = Number(digits.slice(0, 2))
  const offsetMinutes = Number(digits.slice(2))
  if (offsetHours > 23 || offsetMinutes > 59) return Option.none()
  return Option.some(local + ms - sign * (offsetHours * 60 + offsetMinutes) * 60_000)
}

/** `2025-09-27T00:00:00Z`: whole seconds, as the echoes API has always sent them. */
export const formatIsoSeconds = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19) + "Z"

/** `20250927T000000Z`: a timestamp that is safe in a file name on every system. */
export const formatCompactUtc = (epochMs: number): string => formatIsoSeconds(epochMs).replace(/[-:]/g, "")
