/**
 * What the benchmarks print beside their figures about the machine they ran
 * on: the load average, the CPU time of this process's main thread, and
 * that of the child processes it has waited for.
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

/**
 * CPU time (ms, user + system) of the child processes this process has
 * waited for, from /proc/self/stat: on a loaded machine the CPU a command
 * needs says more than its wall time.
 */
export const childrenCpuMs = (): number => {
  const fields = fs.readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ")
  // After "pid (comm) ", field 3 is the state; cutime and cstime are fields 16 and 17.
  return (Number(fields[13]) + Number(fields[14])) * 1000 / CLOCK_TICKS
}
