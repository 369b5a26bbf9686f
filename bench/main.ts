/**
 * `npm run bench`: every benchmark, one after another, each printing its own
 * figures. Run one with `npm run bench -- <name>`.
 */
interface Benchmark {
  readonly name: string
  readonly load: () => Promise<{ readonly run: () => Promise<void> }>
}

const benchmarks: ReadonlyArray<Benchmark> = [
  // Each benchmark module exports `run(): Promise<void>`; add one line per module.
  { name: "startup", load: () => import("./startup.js") },
  { name: "dmap", load: () => import("./dmap-decode.js") },
  { name: "dmap-dump", load: () => import("./dmap-dump.js") },
  { name: "connex", load: () => import("./connex-framer.js") },
  { name: "live-feed", load: () => import("./live-feed.js") },
  { name: "archive-collect", load: () => import("./archive-collect.js") },
  { name: "echo-store", load: () => import("./echo-store.js") },
  { name: "echoes-flood", load: () => import("./echoes-flood.js") },
  { name: "radar-outage", load: () => import("./radar-outage.js") },
  { name: "scale-out", load: () => import("./scale-out.js") }
]

const wanted = process.argv.slice(2)
for (const bench of benchmarks) {
  if (wanted.length > 0 && !wanted.includes(bench.name)) continue
  console.log(`\n== ${bench.name}`)
  const module = await bench.load()
  await module.run()
}
