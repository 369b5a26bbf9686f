/**
 * The `http-index` source against a real node:http server on 127.0.0.1
 * serving Apache- and nginx-style autoindex pages.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { runCollection } from "../../src/archive/collection.js"
import { parseAutoindex } from "../../src/archive/sources/autoindex.js"
import { httpIndexSource } from "../../src/archive/sources/http-index.js"
import { ArchiveJournal } from "../../src/layers/archive/ArchiveJournal.js"
import { HttpIndexSourceConfig } from "../../src/layers/archive/config/http-index-source.js"
import { testsNeedProgram } from "../support/required-program.js"
import {
  bzip2,
  configJson,
  content,
  dataName,
  decodeConfig,
  gzip,
  listArchive,
  listTree,
  pastDay,
  provideArchive,
  scopedTree
} from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

interface Served {
  readonly name: string
  readonly data: Uint8Array
  readonly mtime: Date
}

const pad = (n: number) => String(n).padStart(2, "0")
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const apacheTime = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }`
const nginxTime = (d: Date) =>
  `${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }`

/** mod_autoindex with HTMLTable, as Apache 2.4 renders it. */
export const apacheIndex = (files: ReadonlyArray<Served>) =>
  `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html><head><title>Index of /rawacf</title></head><body>
<h1>Index of /rawacf</h1>
<table>
<tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th></tr>
<tr><th colspan="4"><hr></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="old/">old/</a></td><td align="right">2024-01-02 03:04  </td><td align="right">  - </td></tr>
${
    files.map((f) =>
      `<tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td><td><a href="${
        encodeURIComponent(f.name)
      }">${f.name}</a></td><td align="right">${apacheTime(f.mtime)}  </td><td align="right">${
        (f.data.length / 1024).toFixed(1)
      }K</td></tr>`
    ).join("\n")
  }
<tr><th colspan="4"><hr></th></tr>
</table>
<address>Apache/2.4.57 (Debian) Server at data.example.edu Port 80</address>
</body></html>`

/** nginx `autoindex on;` with exact sizes. */
export const nginxIndex = (files: ReadonlyArray<Served>) =>
  `<html>
<head><title>Index of /rawacf/</title></head>
<body>
<h1>Index of /rawacf/</h1><hr><pre><a href="../">../</a>
<a href="old/">old/</a>                                               02-Jan-2024 03:04                   -
${
    files.map((f) =>
      `<a href="${encodeURIComponent(f.name)}">${f.name}</a>${" ".repeat(20)}${nginxTime(f.mtime)}${
        " ".repeat(10)
      }${f.data.length}`
    )
      .join("\n")
  }
</pre><hr></body>
</html>`

const serve = (style: "apache" | "nginx", files: ReadonlyArray<Served>, missing: ReadonlySet<string> = new Set()) =>
  Effect.acquireRelease(
    Effect.async<http.Server>((resume) => {
      const server = http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1")
        if (url.pathname === "/rawacf/") {
          response.writeHead(200, { "content-type": "text/html" })
          return response.end(style === "apache" ? apacheIndex(files) : nginxIndex(files))
        }
        const name = decodeURIComponent(url.pathname.replace(/^\/rawacf\//, ""))
        const file = files.find((f) => f.name === name)
        if (file === undefined || missing.has(name)) {
          response.writeHead(404)
          return response.end("not found")
        }
        response.writeHead(200, { "content-length": file.data.length, "content-type": "application/octet-stream" })
        response.end(file.data)
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/rawacf/`))

const hourAgo = new Date(Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000)

describe("autoindex parsing", () => {
  const files: ReadonlyArray<Served> = [
    {
      name: "20240101.0000.00.bks.rawacf.bz2",
      data: new Uint8Array(12345),
      mtime: new Date(Date.UTC(2024, 0, 1, 2, 5))
    },
    { name: "20240101.0200.00.bks.rawacf.bz2", data: new Uint8Array(7), mtime: new Date(Date.UTC(2024, 0, 1, 4, 6)) }
  ]

  it("reads names and times from an Apache table, without inexact sizes or navigation links", () => {
    expect(parseAutoindex(apacheIndex(files))).toEqual([
      { name: files[0]!.name, size: undefined, mtimeMs: Date.UTC(2024, 0, 1, 2, 5) },
      { name: files[1]!.name, size: undefined, mtimeMs: Date.UTC(2024, 0, 1, 4, 6) }
    ])
  })

  it("reads names, times and exact sizes from an nginx listing", () => {
    expect(parseAutoindex(nginxIndex(files))).toEqual([
      { name: files[0]!.name, size: 12345, mtimeMs: Date.UTC(2024, 0, 1, 2, 5) },
      { name: files[1]!.name, size: 7, mtimeMs: Date.UTC(2024, 0, 1, 4, 6) }
    ])
  })

  it("passes dangerous link targets on decoded, for the name check to refuse", () => {
    const html = `<pre><a href="..%2F..%2Fetc%2Fpasswd">x</a>\n<a href="%E0%A4%A">bad escape</a>\n</pre>`
    expect(parseAutoindex(html).map((e) => e.name)).toEqual(["../../etc/passwd", "%E0%A4%A"])
  })
})

describe("http-index source", () => {
  for (const style of ["apache", "nginx"] as const) {
    it.scopedLive(`collects from an ${style} index; refuses, holds back and retries what it must`, () =>
      Effect.gen(function*() {
        const tree = yield* scopedTree
        const good = dataName("bks", "rawacf", "0000")
        const corrupt = dataName("bks", "rawacf", "0200")
        const growing = dataName("bks", "rawacf", "0400")
        const gone = dataName("bks", "rawacf", "0600")
        const broken = bzip2(content("c"))
        broken[broken.length - 8]! ^= 0x55
        const files: Array<Served> = [
          { name: good, data: bzip2(content("g")), mtime: hourAgo },
          { name: corrupt, data: broken, mtime: hourAgo },
          { name: growing, data: bzip2(content("w")), mtime: new Date() },
          { name: gone, data: bzip2(content("x")), mtime: hourAgo },
          { name: "../escape.rawacf.bz2", data: bzip2(content("e")), mtime: hourAgo }
        ]
        const url = yield* serve(style, files, new Set([gone]))
        const config = decodeConfig(configJson(tree, { source: { kind: "http-index", url }, disposition: "leave" }))

        const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
        const outcomes = new Map(report.files.map((f) => [f.name, f]))
        expect(outcomes.get(good)).toMatchObject({ kind: "archived" })
        expect(outcomes.get(corrupt)).toMatchObject({ kind: "failed", step: "test" })
        expect(outcomes.get(growing)).toMatchObject({ kind: "waiting" })
        expect(outcomes.get(gone)).toMatchObject({ kind: "failed", step: "download", reason: "HTTP 404 Not Found" })
        expect(outcomes.get("../escape.rawacf.bz2")).toMatchObject({
          kind: "refused",
          reason: "contains a path separator"
        })
        expect(listArchive(tree.archiveRoot).map((f) => path.basename(f))).toEqual([good])
        expect(fs.readFileSync(path.join(tree.archiveRoot, listArchive(tree.archiveRoot)[0]!))).toEqual(files[0]!.data)

        const again = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
        expect(new Map(again.files.map((f) => [f.name, f.kind])).get(good)).toBe("done-before")
      }))
  }

  it.scopedLive("an index answering 404 fails the run, as not worth retrying", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const url = yield* serve("nginx", [])
      const dead = url.replace("/rawacf/", "/missing/")
      const config = decodeConfig(configJson(tree, { source: { kind: "http-index", url: dead }, disposition: "leave" }))
      const error = yield* Effect.flip(runCollection(config.institutions[0]!).pipe(provideArchive(tree, config)))
      expect(error).toMatchObject({ _tag: "CollectionError", retryable: false })
      expect(error.message).toMatch(/list failed: HTTP 404/)
    }))
})

/** A server answering every request with `handler`; its base URL. */
const serveWith = (handler: http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<http.Server>((resume) => {
      const server = http.createServer(handler)
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/rawacf/`))

const fetchOne = (settings: Record<string, unknown>, name: string, destination: string) =>
  Effect.gen(function*() {
    const source = httpIndexSource(Schema.decodeUnknownSync(HttpIndexSourceConfig)({ kind: "http-index", ...settings }))
    const session = yield* source.open
    return yield* session.fetch({ name, size: undefined, mtimeMs: undefined, sha1: undefined }, destination)
  })

describe("http-index source limits", () => {
  const name = dataName("bks", "rawacf", "0000")

  it.scopedLive("gives up at the total timeout on a server sending one byte a second", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const url = yield* serveWith((_request, response) => {
        response.writeHead(200, { "content-length": 1000 })
        const timer = setInterval(() => response.write("x"), 1000)
        response.once("close", () => clearInterval(timer))
      })
      const destination = path.join(tree.root, "slow.download")
      const error = yield* Effect.flip(fetchOne({ url, timeoutSeconds: 2, idleTimeoutSeconds: 60 }, name, destination))
      expect(error).toMatchObject({ _tag: "SourceError", operation: "fetch", retryable: true })
      expect(error.reason).toBe("no complete answer within 2 s")
    }))

  it.scopedLive("gives up at the idle timeout when no byte comes", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const url = yield* serveWith((_request, response) => {
        response.writeHead(200, { "content-length": 1000 })
        response.write("x")
      })
      const error = yield* Effect.flip(
        fetchOne({ url, timeoutSeconds: 600, idleTimeoutSeconds: 1 }, name, path.join(tree.root, "idle.download"))
      )
      expect(error.reason).toBe("no byte for 1 s")
    }))

  it.scopedLive("asks for identity and refuses an encoded body instead of decoding it", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const asked: Array<string | undefined> = []
      const url = yield* serveWith((request, response) => {
        asked.push(request.headers["accept-encoding"])
        const body = gzip(Buffer.alloc(1 << 20))
        response.writeHead(200, { "content-encoding": "gzip", "content-length": body.length })
        response.end(body)
      })
      const error = yield* Effect.flip(fetchOne({ url }, name, path.join(tree.root, "enc.download")))
      expect(asked).toEqual(["identity"])
      expect(error).toMatchObject({ retryable: false })
      expect(error.reason).toBe("server sent Content-Encoding gzip although identity was asked for")
    }))

  it.scopedLive("stops a download past maxDownloadMegabytes, with or without a Content-Length", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const url = yield* serveWith((request, response) => {
        const declare = request.url?.includes("declared") === true
        response.writeHead(200, declare ? { "content-length": 3 << 20 } : {})
        response.end(Buffer.alloc(3 << 20))
      })
      const chunked = yield* Effect.flip(fetchOne({ url, maxDownloadMegabytes: 1 }, name, path.join(tree.root, "a")))
      expect(chunked).toMatchObject({ retryable: false })
      expect(chunked.reason).toBe("larger than the 1 MB download cap")
      expect(fs.statSync(path.join(tree.root, "a")).size).toBeLessThanOrEqual(1 << 20)
      const declared = yield* Effect.flip(
        fetchOne({ url, maxDownloadMegabytes: 1 }, "declared", path.join(tree.root, "b"))
      )
      expect(declared.reason).toBe(`Content-Length ${3 << 20} is over the 1 MB cap`)
    }))

  it.scopedLive("follows a redirect within the configured origin and refuses one to another", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const data = bzip2(content("r"))
      const elsewhere = yield* serveWith((_request, response) => response.end("secret"))
      const url = yield* serveWith((request, response) => {
        if (request.url?.endsWith("away") === true) {
          response.writeHead(302, { location: `${elsewhere}${name}` })
          return response.end()
        }
        if (request.url?.endsWith("moved") === true) {
          response.writeHead(301, { location: `/files/${name}` })
          return response.end()
        }
        response.writeHead(200, { "content-length": data.length })
        response.end(data)
      })
      const fetched = yield* fetchOne({ url }, "moved", path.join(tree.root, "moved"))
      expect(fetched.bytes).toBe(data.length)
      expect(fs.readFileSync(path.join(tree.root, "moved"))).toEqual(data)
      const refused = yield* Effect.flip(fetchOne({ url }, "away", path.join(tree.root, "away")))
      expect(refused).toMatchObject({ retryable: false })
      expect(refused.reason).toMatch(
        /^redirect to http:\/\/127\.0\.0\.1:\d+ refused: only http:\/\/127\.0\.0\.1:\d+ is configured$/
      )
      expect(fs.existsSync(path.join(tree.root, "away"))).toBe(false)
    }))
})

describe("http-index dates", () => {
  it.scopedLive("a listing without times: a far-future file is collected and reported at once; year 0050 files under 0050/", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const future = dataName("bks", "rawacf", "0000", `${new Date().getUTCFullYear() + 3}0101`)
      const ancient = dataName("bks", "rawacf", "0000", "00500101")
      const data = new Map([[future, bzip2(content("future"))], [ancient, bzip2(content("ancient"))]])
      const url = yield* serveWith((request, response) => {
        const name = decodeURIComponent((request.url ?? "").replace(/^\/rawacf\//, ""))
        if (name === "") {
          response.writeHead(200, { "content-type": "text/html" })
          return response.end(`<pre>${[...data.keys()].map((n) => `<a href="${n}">${n}</a>`).join("\n")}</pre>`)
        }
        response.writeHead(200, { "content-length": data.get(name)!.length })
        response.end(data.get(name))
      })
      const config = decodeConfig(configJson(tree, { source: { kind: "http-index", url }, disposition: "leave" }))
      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const outcomes = new Map(report.files.map((f) => [f.name, f]))
      expect(outcomes.get(future)).toMatchObject({ kind: "archived", warning: "future" })
      expect(outcomes.get(ancient)).toMatchObject({ kind: "archived", warning: "earlier-year" })
      expect(report.digest.items.map((item) => `${item.kind} ${item.file}`).sort()).toEqual(
        [`earlier-year ${ancient}`, `future ${future}`].sort()
      )
      expect(listArchive(tree.archiveRoot)).toEqual(
        [`0050/rawacf/bks/${ancient}`, `${future.slice(0, 4)}/rawacf/bks/${future}`].sort()
      )
    }))
})

describe("blocklist", () => {
  it.scopedLive("a blocked name is never fetched, is journalled as blocked and reported once, in any compression spelling", () =>
    Effect.gen(function*() {
      const tree = yield* scopedTree
      const good = dataName("bks", "rawacf", "0000")
      const blocked = dataName("bks", "rawacf", "0200")
      const blockedGz = dataName("bks", "rawacf", "0400", pastDay(), ".gz")
      const odd = `${pastDay()}.0000.00.sas..rawacf.bz2`
      const data = new Map([
        [good, bzip2(content("good"))],
        [blocked, bzip2(content("bad"))],
        [blockedGz, gzip(content("bad2"))],
        [odd, bzip2(content("odd"))]
      ])
      const requested: Array<string> = []
      const url = yield* serveWith((request, response) => {
        const name = decodeURIComponent((request.url ?? "").replace(/^\/rawacf\//, ""))
        if (name === "") {
          response.writeHead(200, { "content-type": "text/html" })
          return response.end(nginxIndex([...data].map(([n, d]) => ({ name: n, data: d, mtime: hourAgo }))))
        }
        requested.push(name)
        response.writeHead(200, { "content-length": data.get(name)!.length })
        response.end(data.get(name))
      })
      const listPath = path.join(tree.root, "ddwg-blocklist.txt")
      fs.writeFileSync(
        listPath,
        [
          "# DDWG blocklist",
          blocked.replace(/\.bz2$/, ""), // the uncompressed spelling blocks the .bz2
          `${blockedGz.replace(/\.gz$/, ".bz2")}   # bad scan`,
          odd,
          ""
        ].join("\n")
      )
      const config = decodeConfig(
        configJson(tree, { source: { kind: "http-index", url }, disposition: "leave" }, { blocklist: [listPath] })
      )
      const report = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const outcomes = new Map(report.files.map((f) => [f.name, f]))
      expect(outcomes.get(good)).toMatchObject({ kind: "archived" })
      for (const name of [blocked, blockedGz, odd]) {
        expect(outcomes.get(name)).toEqual({ kind: "blocked", name, firstTime: true })
      }
      expect(requested).toEqual([good])
      expect(report.digest.items.filter((i) => i.kind === "blocked").map((i) => i.file).sort()).toEqual(
        [blocked, blockedGz, odd].sort()
      )
      expect(listArchive(tree.archiveRoot).map((f) => path.basename(f))).toEqual([good])
      expect(listTree(tree.stagingRoot).map((f) => path.basename(f))).toEqual([good])
      const rows = yield* Effect.flatMap(ArchiveJournal, (journal) => journal.files("vt")).pipe(
        provideArchive(tree, config)
      )
      expect(rows.filter((row) => row.state === "blocked").map((row) => row.name).sort()).toEqual(
        [blocked, blockedGz, odd].sort()
      )

      const again = yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      for (const name of [blocked, blockedGz, odd]) {
        expect(new Map(again.files.map((f) => [f.name, f])).get(name)).toEqual({
          kind: "blocked",
          name,
          firstTime: false
        })
      }
      expect(again.digest.items).toEqual([])
      expect(requested).toEqual([good])
    }))
})
