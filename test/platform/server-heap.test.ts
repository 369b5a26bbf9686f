import { describe, expect, it } from "@effect/vitest"
import { runsServer } from "../../src/cli/server-heap.js"

const argv = (...args: ReadonlyArray<string>) => ["/usr/bin/node", "/opt/superdarn-hub/dist/main.js", ...args]

describe("runsServer", () => {
  it("is the server commands, read from the first word that is not a flag", () => {
    expect(runsServer(argv("serve"))).toBe(true)
    expect(runsServer(argv("serve", "--port", "0"))).toBe(true)
    expect(runsServer(argv("demo", "--database-path", "x.sqlite"))).toBe(true)
    expect(runsServer(argv("--log-level=debug", "serve"))).toBe(true)
  })

  it("is not a short command, nor a file that happens to be called serve", () => {
    expect(runsServer(argv())).toBe(false)
    expect(runsServer(argv("--help"))).toBe(false)
    expect(runsServer(argv("dmap", "dump", "serve"))).toBe(false)
    expect(runsServer(argv("archive", "run"))).toBe(false)
    expect(runsServer(argv("simulate", "--site", "sas"))).toBe(false)
  })
})
