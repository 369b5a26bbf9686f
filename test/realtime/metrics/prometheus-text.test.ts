import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Metric, MetricBoundaries } from "effect"
import { effectMetricFamilies } from "../../../src/http/metrics/effect-metric-families.js"
import { formatValue, labelName, metricName, renderPrometheusText } from "../../../src/http/metrics/prometheus-text.js"
import { parsePrometheusText } from "./prometheus-format.js"

describe("Prometheus text rendering", () => {
  it("writes HELP and TYPE once per family, escapes label values and help, and parses back", () => {
    const text = renderPrometheusText([
      {
        name: "sdh_test_total",
        help: "a help text with a \\ backslash\nand a new line",
        type: "counter",
        samples: [
          { suffix: "", labels: [["site", "sas"]], value: 3 },
          { suffix: "", labels: [["site", "a \"quoted\" \\ value\nwith a line feed"]], value: 2n ** 70n }
        ]
      },
      {
        name: "sdh_test_total",
        help: "merged",
        type: "counter",
        samples: [{ suffix: "", labels: [["site", "pgr"]], value: 1 }]
      },
      {
        name: "sdh_test_total",
        help: "same name, other type",
        type: "gauge",
        samples: [{ suffix: "", labels: [], value: 9 }]
      },
      {
        name: "sdh.test-gauge",
        help: "dots",
        type: "gauge",
        samples: [{ suffix: "", labels: [["1bad-label", "x"]], value: Number.NaN }]
      }
    ])
    expect(text).toBe(
      "# HELP sdh_test_total a help text with a \\\\ backslash\\nand a new line\n" +
        "# TYPE sdh_test_total counter\n" +
        "sdh_test_total{site=\"sas\"} 3\n" +
        "sdh_test_total{site=\"a \\\"quoted\\\" \\\\ value\\nwith a line feed\"} 1180591620717411303424\n" +
        "sdh_test_total{site=\"pgr\"} 1\n" +
        "# HELP sdh_test_gauge dots\n" +
        "# TYPE sdh_test_gauge gauge\n" +
        "sdh_test_gauge{_1bad_label=\"x\"} NaN\n"
    )
    const parsed = parsePrometheusText(text)
    expect(parsed.get("sdh_test_total")?.samples[1]?.labels.site).toBe("a \"quoted\" \\ value\nwith a line feed")
    expect(parsed.get("sdh_test_total")?.help).toBe("a help text with a \\ backslash\nand a new line")
  })

  it("makes names valid and formats special values", () => {
    expect(metricName("radar.records-in")).toBe("radar_records_in")
    expect(metricName("9lives")).toBe("_9lives")
    expect(labelName("le:x")).toBe("le_x")
    expect([Infinity, -Infinity, NaN, 0.25, 12n].map(formatValue)).toEqual(["+Inf", "-Inf", "NaN", "0.25", "12"])
  })

  it.effect("renders Effect counters, gauges, histograms, summaries and frequencies", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("sdh_fmt_events", { description: "events" }).pipe(Metric.tagged("site", "sas"))
      const gauge = Metric.gauge("sdh_fmt_level")
      const histogram = Metric.histogram(
        "sdh_fmt_seconds",
        MetricBoundaries.linear({ start: 0, width: 1, count: 4 }),
        "latency"
      )
      const summary = Metric.summary({
        name: "sdh_fmt_summary",
        maxAge: "1 minute",
        maxSize: 10,
        error: 0.01,
        quantiles: [0.5, 0.9]
      })
      const frequency = Metric.frequency("sdh_fmt_reasons")
      yield* Metric.incrementBy(counter, 5)
      yield* Metric.set(gauge, -2.5)
      for (const v of [0.5, 1.5, 1.5, 2.5, 10]) yield* Metric.update(histogram, v)
      for (const v of [1, 2, 3]) yield* Metric.update(summary, v)
      yield* Metric.update(frequency, "Truncated")
      yield* Metric.update(frequency, "Truncated")
      yield* Metric.update(frequency, "BadRecordCode")

      const text = renderPrometheusText(effectMetricFamilies(yield* Metric.snapshot))
      const families = parsePrometheusText(text)
      expect(families.get("sdh_fmt_events_total")).toMatchObject({
        type: "counter",
        help: "events",
        samples: [{ labels: { site: "sas" }, value: 5 }]
      })
      expect(families.get("sdh_fmt_level")).toMatchObject({ type: "gauge", samples: [{ value: -2.5 }] })
      const buckets = families.get("sdh_fmt_seconds")!.samples.filter((s) => s.name === "sdh_fmt_seconds_bucket")
      expect(buckets.map((s) => [s.labels.le, s.value])).toEqual([["0", 0], ["1", 1], ["2", 3], ["+Inf", 5]])
      expect(
        families.get("sdh_fmt_seconds")!.samples.filter((s) => s.name !== "sdh_fmt_seconds_bucket").map((
          s
        ) => [s.name, s.value])
      )
        .toEqual([["sdh_fmt_seconds_sum", 16], ["sdh_fmt_seconds_count", 5]])
      expect(families.get("sdh_fmt_summary")).toMatchObject({ type: "summary" })
      expect(families.get("sdh_fmt_summary")!.samples.find((s) => s.name === "sdh_fmt_summary_count")?.value).toBe(3)
      expect(families.get("sdh_fmt_reasons_total")!.samples.map((s) => [s.labels.key, s.value]).sort()).toEqual([
        ["BadRecordCode", 1],
        ["Truncated", 2]
      ])
    }))

  it.effect("Effect's fiber counters read right: interruptions are not called failures, active is a gauge", () =>
    Effect.gen(function*() {
      // Runtime metrics are on by default: an interrupted fiber ends in a Failure exit and is counted there.
      const fiber = yield* Effect.fork(Effect.never)
      yield* Fiber.interrupt(fiber)
      const families = parsePrometheusText(renderPrometheusText(effectMetricFamilies(yield* Metric.snapshot)))
      expect(families.has("effect_fiber_failures_total")).toBe(false)
      expect(families.get("effect_fiber_interrupted_or_failed_total")).toMatchObject({ type: "counter" })
      expect(families.get("effect_fiber_interrupted_or_failed_total")!.samples[0]!.value).toBeGreaterThanOrEqual(1)
      expect(families.get("effect_fiber_active")).toMatchObject({ type: "gauge" })
      expect(families.has("effect_fiber_active_total")).toBe(false)
    }))
})

describe("the format reader used by these tests", () => {
  it("rejects documents that break the rules", () => {
    const bad = [
      "x 1", // no line feed at the end
      "x 1\n", // no TYPE
      "# TYPE x counter\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n", // duplicate series
      "# TYPE x counter\n# TYPE x counter\nx 1\n", // second TYPE
      "# TYPE x gauge\nx one\n", // bad value
      "# TYPE x gauge\nx{a=\"\\t\"} 1\n", // bad escape
      "# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\n", // TYPE of x, then y, then x again
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", // not cumulative
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n" // no +Inf
    ]
    for (const text of bad) expect(() => parsePrometheusText(text), text).toThrow()
  })
})
