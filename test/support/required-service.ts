/**
 * Tests that need a running server (PostgreSQL, Redis) say so, like
 * required-program.ts does for programs: outside CI a server that does not
 * answer is one skip line naming the Debian package; under CI=true it fails
 * the test file, since .ci/run starts both.
 *
 * Addresses come from TEST_DATABASE_URL and TEST_REDIS_URL, defaulting to the
 * services this project's machines run on 127.0.0.1.
 */
import * as net from "node:net"
import { inCi, recordSkip } from "./required-program.js"

export const TEST_DATABASE_URL = process.env["TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"
export const TEST_REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379"

const answers = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(2000, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
  })

const requireServer = async (
  name: string,
  url: string,
  defaultPort: number,
  debianPackage: string
): Promise<string | undefined> => {
  const parsed = new URL(url)
  const host = parsed.hostname.replace(/^\[|\]$/g, "")
  const port = parsed.port === "" ? defaultPort : Number(parsed.port)
  if (await answers(host, port)) return undefined
  const reason = `${name} is not answering at ${host}:${port} (Debian package ${debianPackage})`
  if (inCi()) throw new Error(`${reason}: CI=true runs every test, so start it (.ci/run does)`)
  recordSkip(reason)
  return reason
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const requirePostgres = () => requireServer("PostgreSQL", TEST_DATABASE_URL, 5432, "postgresql")

/** Why Redis tests cannot run here, or undefined when they can. */
export const requireRedis = () => requireServer("Redis", TEST_REDIS_URL, 6379, "redis-server")
