/** What a run found that needs a person: collected into one digest per run. */

export type DigestItem =
  | { readonly kind: "earlier-year" | "future"; readonly file: string; readonly detail: string }
  | { readonly kind: "conflict"; readonly file: string; readonly detail: string }
  | { readonly kind: "refused"; readonly file: string; readonly detail: string }
  | { readonly kind: "blocked"; readonly file: string; readonly detail: string }
  | { readonly kind: "repeated-failure"; readonly file: string; readonly detail: string }
  | { readonly kind: "low-disk"; readonly file: undefined; readonly detail: string }
  | { readonly kind: "run-failed"; readonly file: undefined; readonly detail: string }

export interface Digest {
  readonly institution: string
  readonly runId: string
  readonly items: ReadonlyArray<DigestItem>
}

const HEADINGS: Record<DigestItem["kind"], string> = {
  "low-disk": "Collecting stopped: low disk space",
  "run-failed": "Run failed",
  conflict: "Conflicts (quarantined, archive untouched)",
  "repeated-failure": "Repeated failures",
  refused: "Refused files",
  blocked: "On the blocklist (not fetched)",
  "earlier-year": "Files dated in an earlier year",
  future: "Files dated in the future"
}

export const digestSubject = (digest: Digest) =>
  `[superdarn-hub] archive ${digest.institution}: ${digest.items.length} item${
    digest.items.length === 1 ? "" : "s"
  } need attention`

/** Plain-text body, grouped by kind in order of urgency. */
export const digestText = (digest: Digest): string => {
  const lines = [`Institution: ${digest.institution}`, `Run: ${digest.runId}`, ""]
  for (const kind of Object.keys(HEADINGS) as Array<DigestItem["kind"]>) {
    const items = digest.items.filter((item) => item.kind === kind)
    if (items.length === 0) continue
    lines.push(`${HEADINGS[kind]}:`)
    for (const item of items) lines.push(`  - ${item.file === undefined ? "" : `${item.file}: `}${item.detail}`)
    lines.push("")
  }
  return lines.join("\n")
}
