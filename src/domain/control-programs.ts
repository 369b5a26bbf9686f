/**
 * Names of the SuperDARN control programs, by control program number (cp), as
 * the live feed has always labelled them. A negative cp is the same program
 * run in discretionary time, except where a negative number is listed itself.
 */

const RANGE = (first: number, last: number): ReadonlyArray<number> =>
  Array.from({ length: last - first + 1 }, (_, i) => first + i)

const PROGRAMS: ReadonlyArray<readonly [name: string, cps: ReadonlyArray<number>]> = [
  ["stereoscan", [-26401, -26009, -26008, -26007, -26006, -26005, -26004, -26002, -6401, 152, 153]],
  ["normalscan", [150, 151]],
  ["normalsound", [155, 157]],
  ["rbspscan", [200]],
  ["risrscan", [3200]],
  ["twotsg", RANGE(3250, 3253)],
  ["themisscan", [3300]],
  ["ddstest", [3333]],
  ["ulfscan", [3350]],
  ["epopsound", [3370]],
  ["longsound", [3375]],
  ["politescan", [3380]],
  ["fivepulse", [3400]],
  ["heatsound", [3450]],
  ["twofsound", RANGE(3500, 3505)],
  ["uafsound", [3520, 3521]],
  ["twofonebm", [3550]],
  ["tauscan_can", [3600, 3601]],
  ["ltuseqscan", [8510, 8511]],
  ["pcpscan", [9211]]
]

const NAME_BY_CP: ReadonlyMap<number, string> = new Map(
  PROGRAMS.flatMap(([name, cps]) => cps.map((cp) => [cp, name] as const))
)

/** The program name: exact cp first, then |cp|, otherwise "unknown". */
export const controlProgramName = (cp: number): string =>
  NAME_BY_CP.get(cp) ?? NAME_BY_CP.get(Math.abs(cp)) ?? "unknown"

/** The label the live packet carries, e.g. "normalscan(-151)". */
export const controlProgramLabel = (cp: number): string => `${controlProgramName(cp)}(${cp})`
