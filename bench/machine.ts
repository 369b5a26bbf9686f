/**
 * What the benchmarks print beside their figures about the machine they ran
 * on: the load average, and the CPU time of this process's main thread.
 */
import * as fs from "node:fs"
import * as os from "node:os"

/** The 1, 5 and 15 minute load averages, as `0.65 0.22 0.08`. */
export const loadAverage = (): string => os.loadavg().map((load) => load.toFixed(2)).join(" ")

/** Linux's USER_HZ for /proc times. */
const CLOCK_TICKS = 100

/** CPU time (ms) of this process's main thread, from /proc (Linux); undefined elsewhere. */
export const mainThreadCpuMs = (): number | undefined => {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 1000 / CLOCK_TICKS
  } catch {
    return undefined
  }
}
