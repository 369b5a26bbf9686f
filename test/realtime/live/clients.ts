/**
 * Clients for the live feed tests: real socket.io-client sockets that record
 * every event, and a raw WebSocket speaking engine.io by hand that can stop
 * reading its TCP socket, like a browser tab frozen on a slow link.
 */
import { Chunk, Duration, Effect, Queue } from "effect"
import * as crypto from "node:crypto"
import * as net from "node:net"
import { io as connect, type Socket } from "socket.io-client"

export interface ReceivedEvent {
  readonly event: string
  readonly args: ReadonlyArray<unknown>
}

export interface TestClient {
  readonly socket: Socket
  /** The next `n` events, failing the test if they do not come within 10 s. */
  readonly take: (n: number) => Effect.Effect<ReadonlyArray<ReceivedEvent>>
  /** Events already received and not yet taken. */
  readonly pending: Effect.Effect<ReadonlyArray<ReceivedEvent>>
  /** Emits with an acknowledgement and waits for it. */
  readonly request: (event: string, ...args: ReadonlyArray<unknown>) => Effect.Effect<unknown>
}

const WAIT = Duration.seconds(10)

export const connectClient = (url: string, transport: "websocket" | "polling" = "websocket") =>
  Effect.gen(function*() {
    const events = yield* Queue.unbounded<ReceivedEvent>()
    const socket = yield* Effect.acquireRelease(
      Effect.async<Socket, Error>((resume) => {
        const socket = connect(url, { transports: [transport], reconnection: false, forceNew: true })
        socket.onAny((event: string, ...args: Array<unknown>) => Queue.unsafeOffer(events, { event, args }))
        socket.once("connect", () => resume(Effect.succeed(socket)))
        socket.once("connect_error", (error) => resume(Effect.fail(error)))
      }),
      (socket) => Effect.sync(() => socket.close())
    ).pipe(Effect.orDie)
    const client: TestClient = {
      socket,
      take: (n) =>
        Queue.takeN(events, n).pipe(
          Effect.map(Chunk.toReadonlyArray),
          Effect.timeoutFail({ duration: WAIT, onTimeout: () => new Error(`fewer than ${n} events within 10 s`) }),
          Effect.orDie
        ),
      pending: Effect.map(Queue.takeAll(events), Chunk.toReadonlyArray),
      request: (event, ...args) =>
        Effect.async<unknown>((resume) => {
          socket.emit(event, ...args, (response: unknown) => resume(Effect.succeed(response)))
        }).pipe(
          Effect.timeoutFail({ duration: WAIT, onTimeout: () => new Error(`no acknowledgement for ${event}`) }),
          Effect.orDie
        )
    }
    return client
  })

const bigEndian64 = (n: number): Buffer => {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt(n))
  return bytes
}

/** One masked WebSocket text frame (clients must mask). */
export const textFrame = (text: string): Buffer => {
  const payload = Buffer.from(text)
  const mask = crypto.randomBytes(4)
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!))
  const header = payload.length < 126
    ? Buffer.from([0x81, 0x80 | payload.length])
    : payload.length < 65_536
    ? Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
    : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigEndian64(payload.length)])
  return Buffer.concat([header, mask, masked])
}

/**
 * A Socket.IO client at the wire level: upgrade, open the default namespace,
 * then do nothing. `stopReading` pauses the TCP socket so the kernel buffers
 * fill and the server's writes back up.
 */
export const connectRawClient = (host: string, port: number) =>
  Effect.acquireRelease(
    Effect.async<net.Socket, Error>((resume) => {
      const socket = net.connect(port, host)
      socket.once("error", (error) => resume(Effect.fail(error)))
      socket.once("connect", () => {
        socket.write(
          "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n" +
            `Host: ${host}:${port}\r\n` +
            "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}\r\n` +
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
      })
      let received = ""
      const onData = (chunk: Buffer) => {
        received += chunk.toString("latin1")
        if (!received.includes("\r\n\r\n")) return
        socket.off("data", onData)
        if (!received.startsWith("HTTP/1.1 101")) {
          resume(Effect.fail(new Error(`upgrade refused: ${received.split("\r\n")[0]}`)))
          return
        }
        // Socket.IO CONNECT to the default namespace; the open packet was already sent.
        socket.write(textFrame("40"))
        resume(Effect.succeed(socket))
      }
      socket.on("data", onData)
    }),
    (socket) => Effect.sync(() => socket.destroy())
  ).pipe(
    Effect.orDie,
    Effect.map((socket) => ({
      stopReading: Effect.sync(() => socket.pause()),
      resumeReading: Effect.sync(() => socket.resume()),
      /** Sends a Socket.IO packet as text (e.g. `42["latest"]`), in one Engine.IO message. */
      send: (socketIoPacket: string) => Effect.sync(() => socket.write(textFrame(`4${socketIoPacket}`))),
      /** The same for a payload of any size; the socket keeps reading, so a close is seen. */
      sendLarge: (socketIoPacket: string) =>
        Effect.sync(() => {
          socket.resume()
          socket.write(textFrame(`4${socketIoPacket}`))
        }),
      /** Resolves when the server closes the connection. */
      closed: Effect.async<void>((resume) => {
        if (socket.destroyed || socket.readableEnded) return resume(Effect.void)
        socket.once("close", () => resume(Effect.void))
      })
    }))
  )
