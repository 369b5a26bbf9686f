/**
 * Reading a web server's generated folder listing (Apache mod_autoindex, as
 * a table or preformatted, and nginx autoindex). Only what the page states
 * is taken: the size when it is an exact byte count, the time as UTC.
 */
import { parse } from "node-html-parser"
import type { HTMLElement } from "node-html-parser"

export interface IndexEntry {
  readonly name: string
  readonly size: number | undefined
  readonly mtimeMs: number | undefined
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11
}

/** Apache: `2024-01-01 02:05[:07]`; nginx: `01-Jan-2024 02:05`. */
const ISO_TIME = /(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2})(?::(\d{2}))?/
const NGINX_TIME = /(\d{2})-([A-Z][a-z]{2})-(\d{4})\s+(\d{2}):(\d{2})/
/** An exact byte count at the end of the details; "5.0M" or "-" say nothing exact. */
const EXACT_SIZE = /\s(\d+)\s*$/

const parseTime = (details: string): { mtimeMs: number; end: number } | undefined => {
  const iso = ISO_TIME.exec(details)
  if (iso !== null) {
    const [, y, mo, d, h, mi, s] = iso
    return {
      mtimeMs: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)),
      end: iso.index + iso[0].length
    }
  }
  const nginx = NGINX_TIME.exec(details)
  if (nginx !== null) {
    const [, d, mon, y, h, mi] = nginx
    const month = MONTHS[mon!]
    if (month === undefined) return undefined
    return { mtimeMs: Date.UTC(Number(y), month, Number(d), Number(h), Number(mi)), end: nginx.index + nginx[0].length }
  }
  return undefined
}

/** The text describing one link: its table row, or the rest of its line in a <pre>. */
const detailsOf = (link: HTMLElement): string => {
  const row = link.closest("tr")
  if (row !== null) return row.text.replace(link.text, " ")
  const next = link.nextSibling
  const text = next === null ? "" : next.textContent
  const newline = text.indexOf("\n")
  return newline === -1 ? text : text.slice(0, newline)
}

/** Links that navigate (parent, sort order, sub-folders, other sites) rather than name a file. */
const isNavigation = (href: string) =>
  href === "" || href.endsWith("/") || href.startsWith("?") || href.startsWith("#") || href.startsWith("/") ||
  href.includes("://") || href.startsWith("mailto:")

const decodeName = (href: string): string => {
  try {
    return decodeURIComponent(href)
  } catch {
    // A malformed escape is passed on as written; name validation refuses it.
    return href
  }
}

export const parseAutoindex = (html: string): ReadonlyArray<IndexEntry> => {
  // By default the parser keeps <pre> as raw text; nginx puts its links there.
  const root = parse(html, { blockTextElements: { script: true, style: true } })
  const entries: Array<IndexEntry> = []
  const seen = new Set<string>()
  for (const link of root.querySelectorAll("a[href]")) {
    const href = link.getAttribute("href") ?? ""
    if (isNavigation(href)) continue
    const name = decodeName(href.startsWith("./") ? href.slice(2) : href)
    if (seen.has(name)) continue
    seen.add(name)
    const details = detailsOf(link)
    const time = parseTime(details)
    const sizeMatch = time === undefined ? null : EXACT_SIZE.exec(details.slice(time.end))
    entries.push({
      name,
      size: sizeMatch === null ? undefined : Number(sizeMatch[1]),
      mtimeMs: time?.mtimeMs
    })
  }
  return entries
}
