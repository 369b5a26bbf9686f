import { describe, expect, it } from "@effect/vitest"
import { controlProgramLabel, controlProgramName } from "../../../src/domain/control-programs.js"

describe("control program names", () => {
  it("knows every cp of the table", () => {
    const table: ReadonlyArray<readonly [string, ReadonlyArray<number>]> = [
      ["stereoscan", [-26401, -26009, -26008, -26007, -26006, -26005, -26004, -26002, -6401, 152, 153]],
      ["normalscan", [150, 151]],
      ["normalsound", [155, 157]],
      ["rbspscan", [200]],
      ["risrscan", [3200]],
      ["twotsg", [3250, 3251, 3252, 3253]],
      ["themisscan", [3300]],
      ["ddstest", [3333]],
      ["ulfscan", [3350]],
      ["epopsound", [3370]],
      ["longsound", [3375]],
      ["politescan", [3380]],
      ["fivepulse", [3400]],
      ["heatsound", [3450]],
      ["twofsound", [3500, 3501, 3502, 3503, 3504, 3505]],
      ["uafsound", [3520, 3521]],
      ["twofonebm", [3550]],
      ["tauscan_can", [3600, 3601]],
      ["ltuseqscan", [8510, 8511]],
      ["pcpscan", [9211]]
    ]
    for (const [name, cps] of table) {
      for (const cp of cps) expect(controlProgramName(cp), String(cp)).toBe(name)
    }
  })

  it("falls back to |cp| for discretionary time, then to unknown", () => {
    expect(controlProgramLabel(-151)).toBe("normalscan(-151)")
    expect(controlProgramLabel(-3252)).toBe("twotsg(-3252)")
    expect(controlProgramLabel(-152)).toBe("stereoscan(-152)")
    // Listed negatives are exact only: their positive twins are not in the table.
    expect(controlProgramLabel(26401)).toBe("unknown(26401)")
    expect(controlProgramLabel(6401)).toBe("unknown(6401)")
    for (const cp of [0, 1, 3249, 3254, 3499, 3506, 3522, 9212, -1]) {
      expect(controlProgramName(cp), String(cp)).toBe("unknown")
    }
  })
})
