/**
 * A TCP proxy on 127.0.0.1 that a test can cut and restore: the network
 * between the hub and a store (PostgreSQL, Redis) failing for real, without
 * stopping the machine's own server. `cut()` destroys every open connection
 * and refuses new ones; `restore()` lets connections through again.
 */
import { Effect } from "effect"
import * as net from "node:net"

export interface TcpProxy {
  readonly port: number
  readonly cut: () => void
  readonly restore: () => void
}

export const scopedTcpProxy = (target: { readonly host: string; readonly port: number }) =>
  Effect.acquireRelease(
    Effect.async<{ proxy: TcpProxy; server: net.Server; sockets: Set<net.Socket> }>((resume) => {
      const sockets = new Set<net.Socket>()
      let open = true
      const server = net.createServer((client) => {
        if (!open) {
          client.destroy()
          return
        }
        const upstream = net.connect(target)
        sockets.add(client).add(upstream)
        const drop = () => {
          client.destroy()
          upstream.destroy()
          sockets.delete(client)
          sockets.delete(upstream)
        }
        client.on("error", drop).on("close", drop)
        upstream.on("error", drop).on("close", drop)
        client.pipe(upstream)
        upstream.pipe(client)
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        const proxy: TcpProxy = {
          port,
          cut: () => {
            open = false
            for (const socket of sockets) socket.destroy()
            sockets.clear()
          },
          restore: () => {
            open = true
          }
        }
        resume(Effect.succeed({ proxy, server, sockets }))
      })
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ proxy }) => proxy))
