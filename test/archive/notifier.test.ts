/** The digest e-mail, delivered to a real smtp-server on 127.0.0.1. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue } from "effect"
import type { AddressInfo } from "node:net"
import { SMTPServer } from "smtp-server"
import { runCollection } from "../../src/archive/collection.js"
import { Notifier } from "../../src/layers/archive/Notifier.js"
import { testsNeedProgram } from "../support/required-program.js"
import {
  bzip2,
  configJson,
  content,
  dataName,
  decodeConfig,
  provideArchive,
  scopedTree,
  writeSourceFile
} from "./archive-fixture.js"

testsNeedProgram("bzip2", "bzip2")

interface Mail {
  readonly from: string
  readonly to: ReadonlyArray<string>
  readonly body: string
}

const smtpServer = Effect.gen(function*() {
  const mails = yield* Queue.unbounded<Mail>()
  const server = yield* Effect.acquireRelease(
    Effect.async<SMTPServer>((resume) => {
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS", "AUTH"],
        logger: false,
        onData(stream, session, callback) {
          let body = ""
          stream.setEncoding("utf8")
          stream.on("data", (chunk: string) => (body += chunk))
          stream.on("end", () => {
            Queue.unsafeOffer(mails, {
              from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              body
            })
            callback()
          })
        }
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )
  return { port: (server.server.address() as AddressInfo).port, mails }
})

describe("notifier", () => {
  it.scopedLive("e-mails a run's digest (refused names, earlier-year files), once", () =>
    Effect.gen(function*() {
      const { mails, port } = yield* smtpServer
      const tree = yield* scopedTree
      const thisYear = new Date().getUTCFullYear()
      const config = decodeConfig(configJson(tree, {}, {
        notify: { smtp: { host: "127.0.0.1", port }, from: "hub@example.edu", to: ["archive@example.edu"] }
      }))
      writeSourceFile(tree.source, "..sneaky", bzip2(content("s")))
      writeSourceFile(tree.source, dataName("bks", "rawacf", "0000", `${thisYear - 1}0301`), bzip2(content("old")))

      yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      const mail = yield* Queue.take(mails)
      expect(mail.from).toBe("hub@example.edu")
      expect(mail.to).toEqual(["archive@example.edu"])
      expect(mail.body).toMatch(/Subject: \[superdarn-hub\] archive vt: 2 items need attention/)
      expect(mail.body).toMatch(/Refused files:\r?\n {2}- \.\.sneaky: contains '\.\.'/)
      expect(mail.body).toMatch(
        new RegExp(`Files dated in an earlier year:\\r?\\n {2}- ${thisYear - 1}0301\\.0000\\.00\\.bks\\.rawacf\\.bz2`)
      )

      // Nothing new needs a person: no second e-mail.
      yield* runCollection(config.institutions[0]!).pipe(provideArchive(tree, config))
      expect(yield* Queue.size(mails)).toBe(0)
    }))

  it.scopedLive("an unreachable SMTP server is logged, never fails the run", () =>
    Effect.gen(function*() {
      const { port } = yield* smtpServer
      const tree = yield* scopedTree
      const config = decodeConfig(configJson(tree, {}, {
        notify: {
          smtp: { host: "127.0.0.1", port: port === 1 ? 2 : 1 },
          from: "hub@example.edu",
          to: ["a@example.edu"]
        }
      }))
      const result = yield* Effect.flatMap(Notifier, (notifier) =>
        notifier.send({
          institution: "vt",
          runId: "r",
          items: [{ kind: "low-disk", file: undefined, detail: "full" }]
        })).pipe(provideArchive(tree, config), Effect.exit)
      expect(result._tag).toBe("Success")
    }))
})
