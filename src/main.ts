#!/usr/bin/env node
/**
 * superdarn-hub's entry. What must be settled before the program's code is
 * loaded is settled here; the command line itself (cli/command-line.ts) is
 * imported after it, as a static import would be evaluated first.
 */
import { holdYoungGeneration, runsServer } from "./cli/server-heap.js"

if (runsServer(process.argv)) holdYoungGeneration()

await import("./cli/command-line.js")
