/**
 * ISO 8601 date-times as HTTP query parameters. `Date.parse` alone would read
 * a zone-less time as local time, roll 2025-02-30 over to March and map years
 * 0-99 to the 1900s, so the fields are matched and checked here; a time
 * without a zone is UTC. Every form of ISO 8601 for an instant is read:
 * calendar (2025-09-27, 20250927, 2025-09, 2025), ordinal (2025-270) and week
 * dates (2025-W39-6, 2025W396, 2025-W39), basic or extended times with the
 * precision cut at any unit and a decimal fraction (point or comma) on the
 * last one, 24:00 as the end of the day, and zones Z, ±hh, ±hhmm, ±hh:mm.
 */
import * as Option from "effect/Option"

const DAY_MS = 86_400_000

/** Midnight UTC of a calendar date, when the date exists (years 0000-9999, none remapped). */
const calendarDay = (year: number, month: number, day: number): number | undefined => {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? date.getTime()
    : undefined
}

const ordinalDay = (year: number, dayOfYear: number): number | undefined => {
  const jan1 = calendarDay(year, 1, 1)!
  const ms = jan1 + (dayOfYear - 1) * DAY_MS
  return dayOfYear >= 1 && new Date(ms).getUTCFullYear() === year ? ms : undefined
}

/** ISO week dates: week 1 holds the year's first Thursday (so January 4th); weeks start on Monday. */
const weekDay = (year: number, week: number, weekday: number): number | undefined => {
  const weekStart = (y: number) => {
    const jan4 = calendarDay(y, 1, 4)!
    return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS
  }
  const weeks = Math.round((weekStart(year + 1) - weekStart(year)) / (7 * DAY_MS))
  if (week < 1 || week > weeks || weekday < 1 || weekday > 7) return undefined
  return weekStart(year) + ((week - 1) * 7 + weekday - 1) * DAY_MS
}

const DATE_FORMS: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => number | undefined]> = [
  [/^(\d{4})-(\d{2})-(\d{2})$/, (m) => calendarDay(+m[1]!, +m[2]!, +m[3]!)],
  [/^(\d{4})(\d{2})(\d{2})$/, (m) => calendarDay(+m[1]!, +m[2]!, +m[3]!)],
  [/^(\d{4})-(\d{2})$/, (m) => calendarDay(+m[1]!, +m[2]!, 1)],
  [/^(\d{4})$/, (m) => calendarDay(+m[1]!, 1, 1)],
  [/^(\d{4})-?(\d{3})$/, (m) => ordinalDay(+m[1]!, +m[2]!)],
  [/^(\d{4})-W(\d{2})-(\d)$/i, (m) => weekDay(+m[1]!, +m[2]!, +m[3]!)],
  [/^(\d{4})W(\d{2})(\d)$/i, (m) => weekDay(+m[1]!, +m[2]!, +m[3]!)],
  [/^(\d{4})-?W(\d{2})$/i, (m) => weekDay(+m[1]!, +m[2]!, 1)]
]

/** hh, hh:mm, hh:mm:ss or their basic forms, a fraction on the last unit, then an optional zone. */
const TIME = /^(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?(?:[.,](\d{1,9}))?(Z|[+\- ]\d{2}(?::?\d{2})?)?$/i

/** Milliseconds after midnight, minus the zone offset; none when a field is out of range. */
const timeOfDay = (text: string): number | undefined => {
  const match = TIME.exec(text)
  if (match === null) return undefined
  const [, hh, mm, ss, fraction, zone = "Z"] = match
  const hours = Number(hh)
  const minutes = mm === undefined ? 0 : Number(mm)
  const seconds = ss === undefined ? 0 : Number(ss)
  const part = fraction === undefined ? 0 : Number(`0.${fraction}`)
  if (minutes > 59 || seconds > 59) return undefined
  // 24:00 (with nothing after it but zeros) is the end of the day.
  if (hours > 24 || (hours === 24 && (minutes > 0 || seconds > 0 || part > 0))) return undefined
  const unit = ss !== undefined ? 1000 : mm !== undefined ? 60_000 : 3_600_000
  const local = ((hours * 60 + minutes) * 60 + seconds) * 1000 + Math.floor(part * unit)
  if (zone.toUpperCase() === "Z") return local
  const digits = zone.slice(1).replace(":", "")
  const offsetHours = Number(digits.slice(0, 2))
  const offsetMinutes = digits.length > 2 ? Number(digits.slice(2)) : 0
  if (offsetHours > 23 || offsetMinutes > 59) return undefined
  const sign = zone.startsWith("-") ? -1 : 1
  return local - sign * (offsetHours * 60 + offsetMinutes) * 60_000
}

/**
 * Epoch milliseconds of `text`, or none when it is not a real ISO 8601
 * date or date-time. A zone written " 02:00" is read as "+02:00": that is
 * what an unencoded "+" in a query string arrives as.
 */
export const parseIsoInstant = (text: string): Option.Option<number> => {
  const trimmed = text.trim()
  const split = /^([^T ]+)(?:[T ](.+))?$/i.exec(trimmed)
  if (split === null) return Option.none()
  const [, datePart, timePart] = split
  let day: number | undefined
  for (const [form, read] of DATE_FORMS) {
    const match = form.exec(datePart!)
    if (match !== null) {
      day = read(match)
      break
    }
  }
  if (day === undefined) return Option.none()
  if (timePart === undefined) return Option.some(day)
  const time = timeOfDay(timePart)
  return time === undefined ? Option.none() : Option.some(day + time)
}

/** `2025-09-27T00:00:00Z`: whole seconds, as the echoes API has always sent them. */
export const formatIsoSeconds = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19) + "Z"

/** `20250927T000000Z`: a timestamp that is safe in a file name on every system. */
export const formatCompactUtc = (epochMs: number): string => formatIsoSeconds(epochMs).replace(/[-:]/g, "")
