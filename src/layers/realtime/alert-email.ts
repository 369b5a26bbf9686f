/** An alert as an e-mail: subject and plain text. */
import type { AlertNotice } from "./alert-hold.js"

const iso = (ms: number) => new Date(ms).toISOString()

/** "1 h 5 min", "12 min 3 s", "40 s". */
export const outageLength = (ms: number): string => {
  const s = Math.round(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = s % 60
  if (h > 0) return `${h} h ${m} min`
  if (m > 0) return `${m} min ${rest} s`
  return `${rest} s`
}

export const alertSubject = (notice: AlertNotice): string =>
  notice.kind === "down"
    ? `[superdarn-hub] ${notice.site} ${notice.level === "stale" ? "silent" : "down"} since ${iso(notice.since)}`
    : `[superdarn-hub] ${notice.site} back after ${outageLength(notice.outageMs ?? 0)}`

export const alertText = (notice: AlertNotice): string =>
  notice.kind === "down"
    ? [
      `Radar ${notice.site} is ${notice.level === "stale" ? "connected but silent (stale)" : "down (not connected)"}.`,
      `Outage since: ${iso(notice.since)}`,
      `Reported at:  ${iso(notice.at)}`,
      ...(notice.detail === undefined ? [] : [`Last error:   ${notice.detail}`])
    ].join("\n") + "\n"
    : [
      `Radar ${notice.site} is receiving again.`,
      `Outage:       ${iso(notice.since)} for ${outageLength(notice.outageMs ?? 0)}`,
      `Reported at:  ${iso(notice.at)}`
    ].join("\n") + "\n"
