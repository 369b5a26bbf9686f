/**
 * One decodeRecords pass over the file named on the command line, in this
 * fresh process: the cold figure of bench/dmap-decode.ts. Prints
 * `{"wall": s, "cpu": s}`; the file read is not timed.
 *
 * With `--settled` (and node's --expose-gc) the garbage collector runs once
 * before the pass. Reading the 21 MB corpus makes V8 start a full
 * collection at the next allocation of any size, which would otherwise fall
 * inside the pass; settled, the pass is the decoder's own cost alone.
 */
import * as fs from "node:fs"
import { decodeRecords } from "../src/dmap/decode.js"

const corpus = new Uint8Array(fs.readFileSync(process.argv[2]!))
if (process.argv.includes("--settled")) (globalThis as unknown as { gc: () => void }).gc()
const cpuStart = process.cpuUsage()
const start = process.hrtime.bigint()
const { error } = decodeRecords(corpus)
const wall = Number(process.hrtime.bigint() - start) / 1e9
const used = process.cpuUsage(cpuStart)
if (error !== undefined) throw error
console.log(JSON.stringify({ wall, cpu: (used.user + used.system) / 1e6 }))
