/**
 * A Redis server of the test's own on a free 127.0.0.1 port, which the test
 * may stop and start again on the same port (a Redis restart mid-stream),
 * without touching the machine's shared server. Nothing is persisted.
 */
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"

const freePort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

const answers = (port: number) =>
  Effect.async<boolean>((resume) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed(true))
    })
    socket.once("error", () => resume(Effect.succeed(false)))
  })

export interface OwnRedis {
  readonly url: string
  /** Kills the server (SIGKILL: like a crash, nothing flushed). */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port, empty. */
  readonly start: Effect.Effect<void>
}

export const scopedRedisServer = Effect.gen(function*() {
  const port = yield* freePort
  let child: ChildProcess | undefined
  const start = Effect.gen(function*() {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore"
    })
    for (let i = 0; i < 100 && !(yield* answers(port)); i++) yield* Effect.sleep("50 millis")
  })
  const stop = Effect.async<void>((resume) => {
    const running = child
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return resume(Effect.void)
    running.once("exit", () => resume(Effect.void))
    running.kill("SIGKILL")
  })
  yield* Effect.acquireRelease(start, () => stop)
  return { url: `redis://127.0.0.1:${port}`, stop, start } satisfies OwnRedis
})
