/**
 * A strict reader of the Prometheus text format 0.0.4, written from the
 * format's rules, to check what /metrics serves. Throws on the first breach.
 */

export interface ParsedSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface ParsedFamily {
  readonly name: string
  readonly type: string
  readonly help: string | undefined
  readonly samples: Array<ParsedSample>
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"])

const parseValue = (text: string, line: string): number => {
  if (text === "+Inf") return Number.POSITIVE_INFINITY
  if (text === "-Inf") return Number.NEGATIVE_INFINITY
  if (text === "NaN") return Number.NaN
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`bad value "${text}" in: ${line}`)
  return Number(text)
}

const parseLabels = (text: string, line: string): [Record<string, string>, string] => {
  const labels: Record<string, string> = {}
  let rest = text
  while (true) {
    if (rest.startsWith("}")) return [labels, rest.slice(1)]
    const name = LABEL_NAME.exec(rest)?.[0]
    if (name === undefined) throw new Error(`bad label name in: ${line}`)
    if (name in labels) throw new Error(`duplicate label ${name} in: ${line}`)
    rest = rest.slice(name.length)
    if (!rest.startsWith("=\"")) throw new Error(`expected =" after ${name} in: ${line}`)
    rest = rest.slice(2)
    let value = ""
    for (;;) {
      const c = rest[0]
      if (c === undefined || c === "\n") throw new Error(`unterminated label value in: ${line}`)
      if (c === "\"") break
      if (c === "\\") {
        const escaped = rest[1]
        if (escaped === "\\") value += "\\"
        else if (escaped === "\"") value += "\""
        else if (escaped === "n") value += "\n"
        else throw new Error(`bad escape \\${escaped} in: ${line}`)
        rest = rest.slice(2)
      } else {
        value += c
        rest = rest.slice(1)
      }
    }
    labels[name] = value
    rest = rest.slice(1)
    if (rest.startsWith(",")) rest = rest.slice(1)
    else if (!rest.startsWith("}")) throw new Error(`expected , or } in: ${line}`)
  }
}

const familyOf = (families: Map<string, ParsedFamily>, sampleName: string): ParsedFamily | undefined => {
  const exact = families.get(sampleName)
  if (
    exact !== undefined &&
    (exact.type === "counter" || exact.type === "gauge" || exact.type === "untyped" || exact.type === "summary")
  ) {
    return exact
  }
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sampleName.endsWith(suffix)) continue
    const family = families.get(sampleName.slice(0, -suffix.length))
    if (family === undefined) continue
    if (family.type === "histogram") return family
    if (family.type === "summary" && suffix !== "_bucket") return family
  }
  return undefined
}

export const parsePrometheusText = (text: string): ReadonlyMap<string, ParsedFamily> => {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("the document must end with a line feed")
  const families = new Map<string, ParsedFamily>()
  const finished = new Set<string>()
  const series = new Set<string>()
  let current: string | undefined
  const enter = (name: string) => {
    if (current === name) return
    if (finished.has(name)) throw new Error(`family ${name} is not one contiguous group`)
    if (current !== undefined) finished.add(current)
    current = name
  }
  for (const line of text.split("\n").slice(0, -1)) {
    if (line.startsWith("#")) {
      const match = /^# (HELP|TYPE) ([^ ]+)(?: (.*))?$/.exec(line)
      if (match === null) continue
      const [, keyword, name = "", rest = ""] = match
      if (!NAME.test(name) || NAME.exec(name)![0] !== name) throw new Error(`bad metric name in: ${line}`)
      enter(name)
      const family = families.get(name) ?? { name, type: "untyped", help: undefined, samples: [] }
      if (keyword === "TYPE") {
        if (families.has(name) && families.get(name)!.type !== "untyped") throw new Error(`second TYPE for ${name}`)
        if (family.samples.length > 0) throw new Error(`TYPE after samples for ${name}`)
        if (!TYPES.has(rest)) throw new Error(`bad type in: ${line}`)
        families.set(name, { ...family, type: rest })
      } else {
        if (family.help !== undefined) throw new Error(`second HELP for ${name}`)
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) throw new Error(`bad escape in HELP: ${line}`)
        families.set(name, { ...family, help: rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\") })
      }
      continue
    }
    if (line.trim() === "") throw new Error("blank sample line")
    const name = NAME.exec(line)?.[0]
    if (name === undefined) throw new Error(`bad sample line: ${line}`)
    let rest = line.slice(name.length)
    let labels: Record<string, string> = {}
    if (rest.startsWith("{")) [labels, rest] = parseLabels(rest.slice(1), line)
    const parts = rest.split(" ")
    if (parts[0] !== "" || parts.length < 2 || parts.length > 3) throw new Error(`bad sample line: ${line}`)
    const value = parseValue(parts[1]!, line)
    const family = familyOf(families, name)
    if (family === undefined) throw new Error(`sample ${name} has no TYPE line before it`)
    enter(family.name)
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`
    if (series.has(key)) throw new Error(`duplicate series: ${line}`)
    series.add(key)
    if (family.type === "histogram" && name.endsWith("_bucket") && !("le" in labels)) {
      throw new Error(`bucket without le: ${line}`)
    }
    family.samples.push({ name, labels, value })
  }
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family)
  return families
}

/** Buckets are cumulative (never decreasing with le) and the +Inf bucket equals _count. */
const checkHistogram = (family: ParsedFamily) => {
  const groups = new Map<string, Array<ParsedSample>>()
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    groups.set(key, [...(groups.get(key) ?? []), sample])
  }
  for (const samples of groups.values()) {
    const buckets = samples
      .filter((s) => s.name.endsWith("_bucket"))
      .map((s) => [parseValue(s.labels.le!, s.labels.le!), s.value] as const)
      .sort((a, b) => a[0] - b[0])
    const count = samples.find((s) => s.name === `${family.name}_count`)
    if (count === undefined || samples.every((s) => s.name !== `${family.name}_sum`)) {
      throw new Error(`${family.name} lacks _sum or _count`)
    }
    const last = buckets[buckets.length - 1]
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`${family.name} lacks le="+Inf"`)
    if (last[1] !== count.value) throw new Error(`${family.name}: +Inf bucket ${last[1]} != _count ${count.value}`)
    for (let i = 1; i < buckets.length; i++) {
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${family.name}: buckets are not cumulative`)
    }
  }
}
