/**
 * LIVE_FEED_PROFILE=<dir>: a server child (hub or floor) profiles its CPU
 * from the benchmark's mark to its stats, the measured window only (not
 * start-up or the clients' handshakes), and writes the V8 profile there.
 */
import * as fs from "node:fs"
import * as inspector from "node:inspector"
import * as path from "node:path"

const dir = process.env["LIVE_FEED_PROFILE"]
let session: inspector.Session | undefined

const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result)))
  )

/** Starts profiling (again) at the mark. */
export const startProfile = async (): Promise<void> => {
  if (dir === undefined) return
  if (session === undefined) {
    session = new inspector.Session()
    session.connect()
    await post("Profiler.enable")
    await post("Profiler.setSamplingInterval", { interval: 200 })
  }
  await post("Profiler.start")
}

/** Writes the window's profile as <dir>/<name>-<pid>.cpuprofile. */
export const stopProfile = async (name: string): Promise<void> => {
  if (session === undefined || dir === undefined) return
  const { profile } = (await post("Profiler.stop")) as { profile: unknown }
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile))
}
