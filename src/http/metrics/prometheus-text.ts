/**
 * The Prometheus text exposition format, version 0.0.4: metric families in,
 * one document out. Names and label names are made valid, label values and
 * HELP text escaped, each family gets one HELP and one TYPE line before its
 * samples, and families sharing a name are merged (or, when their types
 * differ, the later one is left out: a name may have one type only).
 */

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

export type MetricType = "counter" | "gauge" | "histogram" | "summary"

export type Labels = ReadonlyArray<readonly [name: string, value: string]>

export interface Sample {
  /** Added to the family name: "" or, for histograms and summaries, "_bucket", "_sum", "_count". */
  readonly suffix: "" | "_bucket" | "_sum" | "_count"
  readonly labels: Labels
  readonly value: number | bigint
}

export interface MetricFamily {
  readonly name: string
  readonly help: string
  readonly type: MetricType
  readonly samples: ReadonlyArray<Sample>
}

/** `[a-zA-Z_:][a-zA-Z0-9_:]*`: other characters become `_`. */
export const metricName = (name: string): string => {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, "_")
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned === "" ? "_" : cleaned
}

/** `[a-zA-Z_][a-zA-Z0-9_]*`: other characters become `_`. */
export const labelName = (name: string): string => {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, "_")
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned === "" ? "_" : cleaned
}

export const escapeLabelValue = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")

export const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

export const formatValue = (value: number | bigint): string => {
  if (typeof value === "bigint") return value.toString()
  if (Number.isNaN(value)) return "NaN"
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  return String(value)
}

const formatLabels = (labels: Labels): string => {
  if (labels.length === 0) return ""
  let text = "{"
  for (let i = 0; i < labels.length; i++) {
    const [name, value] = labels[i]!
    text += `${i === 0 ? "" : ","}${labelName(name)}="${escapeLabelValue(value)}"`
  }
  return text + "}"
}

export const renderPrometheusText = (families: Iterable<MetricFamily>): string => {
  const merged = new Map<string, { help: string; type: MetricType; samples: Array<Sample> }>()
  for (const family of families) {
    const name = metricName(family.name)
    const existing = merged.get(name)
    if (existing === undefined) merged.set(name, { help: family.help, type: family.type, samples: [...family.samples] })
    else if (existing.type === family.type) existing.samples.push(...family.samples)
  }
  let text = ""
  for (const [name, family] of merged) {
    text += `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n`
    for (const sample of family.samples) {
      text += `${name}${sample.suffix}${formatLabels(sample.labels)} ${formatValue(sample.value)}\n`
    }
  }
  return text
}
