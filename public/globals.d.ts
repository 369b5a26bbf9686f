// The page's classic scripts, loaded before its modules: Socket.IO's client
// (served by Socket.IO itself) and uPlot (from the installed npm package,
// whose types declare the `uPlot` global). Not served: only public/status and
// public/docs are.
import type { io as socketIo } from "socket.io-client"

declare global {
  const io: typeof socketIo | undefined
}
