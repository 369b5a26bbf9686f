/**
 * One decodeRecords pass over the file named on the command line, in this
 * fresh process: the cold figure of bench/dmap-decode.ts. Prints
 * `{"wall": s, "cpu": s}`; the file read is not timed.
 */
import * as fs from "node:fs"
import { decodeRecords } from "../src/dmap/decode.js"

const corpus = new Uint8Array(fs.readFileSync(process.argv[2]!))
const cpuStart = process.cpuUsage()
const start = process.hrtime.bigint()
const { error } = decodeRecords(corpus)
const wall = Number(process.hrtime.bigint() - start) / 1e9
const used = process.cpuUsage(cpuStart)
if (error !== undefined) throw error
console.log(JSON.stringify({ wall, cpu: (used.user + used.system) / 1e6 }))
