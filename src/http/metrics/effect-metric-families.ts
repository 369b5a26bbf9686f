/**
 * Every metric registered with Effect's Metric API (a `Metric.snapshot`) as
 * Prometheus families. Counters are named with `_total`; histogram buckets
 * are already cumulative in Effect, and MetricBoundaries always ends them
 * with +Inf, as the format requires; a frequency becomes a
 * counter with one series per observed value (label `key`).
 */
import type * as MetricPair from "effect/MetricPair"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"
import { formatValue, type Labels, type MetricFamily, type Sample } from "./prometheus-text.js"

const withTotal = (name: string): string => (name.endsWith("_total") ? name : `${name}_total`)

/**
 * Effect's own fiber counters (on by default in Effect 3) under names that
 * read right. Effect counts every fiber that ends in a Failure exit as
 * "effect_fiber_failures", and an interrupted fiber ends that way: every
 * timeout, lost race, radar reconnect and stream shutdown adds one, so a
 * healthy demo showed `effect_fiber_failures_total 293`. Failures that are
 * errors are logged where they happen; this family says what it counts.
 * "effect_fiber_active" goes up and down: a gauge, not a `_total`.
 */
const RUNTIME_FAMILIES: Readonly<
  Record<string, { readonly name: string; readonly type?: "gauge"; readonly help: string }>
> = {
  effect_fiber_failures: {
    name: "effect_fiber_interrupted_or_failed_total",
    help: "Fibers that ended interrupted (timeouts, races, reconnects, shutdown: normal) or failed"
  },
  effect_fiber_successes: { name: "effect_fiber_succeeded_total", help: "Fibers that ended with a value" },
  effect_fiber_started: { name: "effect_fiber_started_total", help: "Fibers started" },
  effect_fiber_active: { name: "effect_fiber_active", type: "gauge", help: "Fibers running now" }
}

const familyOf = (pair: MetricPair.MetricPair.Untyped): MetricFamily | undefined => {
  const key = pair.metricKey
  const state: unknown = pair.metricState
  const labels: Labels = key.tags.map((tag) => [tag.key, tag.value] as const)
  const help = Option.getOrElse(key.description, () => key.name)
  if (MetricState.isCounterState(state)) {
    const runtime = RUNTIME_FAMILIES[key.name]
    const samples: ReadonlyArray<Sample> = [{ suffix: "", labels, value: state.count }]
    return runtime === undefined
      ? { name: withTotal(key.name), help, type: "counter", samples }
      : { name: runtime.name, help: runtime.help, type: runtime.type ?? "counter", samples }
  }
  if (MetricState.isGaugeState(state)) {
    return { name: key.name, help, type: "gauge", samples: [{ suffix: "", labels, value: state.value }] }
  }
  if (MetricState.isHistogramState(state)) {
    const samples: Array<Sample> = state.buckets.map(([boundary, count]) => ({
      suffix: "_bucket",
      labels: [...labels, ["le", formatValue(boundary)]],
      value: count
    }))
    samples.push({ suffix: "_sum", labels, value: state.sum }, { suffix: "_count", labels, value: state.count })
    return { name: key.name, help, type: "histogram", samples }
  }
  if (MetricState.isSummaryState(state)) {
    const samples: Array<Sample> = state.quantiles.map(([quantile, value]) => ({
      suffix: "",
      labels: [...labels, ["quantile", String(quantile)]],
      value: Option.getOrElse(value, () => Number.NaN)
    }))
    samples.push({ suffix: "_sum", labels, value: state.sum }, { suffix: "_count", labels, value: state.count })
    return { name: key.name, help, type: "summary", samples }
  }
  if (MetricState.isFrequencyState(state)) {
    const samples: Array<Sample> = [...state.occurrences].map(([value, count]) => ({
      suffix: "",
      labels: [...labels, ["key", value]],
      value: count
    }))
    return { name: withTotal(key.name), help, type: "counter", samples }
  }
  return undefined
}

export const effectMetricFamilies = (
  snapshot: Iterable<MetricPair.MetricPair.Untyped>
): ReadonlyArray<MetricFamily> => {
  const families: Array<MetricFamily> = []
  for (const pair of snapshot) {
    const family = familyOf(pair)
    if (family !== undefined) families.push(family)
  }
  return families
}
