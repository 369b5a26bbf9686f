/**
 * A Socket.IO event as the bytes a WebSocket client receives: one text frame
 * holding Engine.IO's message type `4` and Socket.IO's `2["<event>",<json>]`.
 * The live feed encodes each packet once into a frame and every client, the
 * history and `latest` share that one buffer; the wire is exactly what
 * `socket.emit(event, payload)` sends.
 */

export interface LiveFrame {
  readonly event: string
  /** The whole WebSocket frame: header, then the Engine.IO packet. */
  readonly bytes: Buffer
  /** Length of the WebSocket header in `bytes`. */
  readonly headerBytes: number
  /** Where the payload JSON starts in `bytes`; it ends one byte before the end (the closing `]`). */
  readonly jsonStart: number
}

/** An unmasked, final text frame header (servers never mask) for a payload of `length` bytes. */
const frameHeader = (length: number): Buffer => {
  if (length < 126) return Buffer.from([0x81, length])
  if (length < 65_536) {
    const header = Buffer.allocUnsafe(4)
    header[0] = 0x81
    header[1] = 126
    header.writeUInt16BE(length, 2)
    return header
  }
  const header = Buffer.allocUnsafe(10)
  header[0] = 0x81
  header[1] = 127
  header.writeBigUInt64BE(BigInt(length), 2)
  return header
}

/** The frame for `socket.emit(event, payload)` where `json` is `JSON.stringify(payload)`. */
export const eventFrame = (event: string, json: string): LiveFrame => {
  const prefix = `42[${JSON.stringify(event)},`
  const prefixBytes = Buffer.byteLength(prefix)
  const length = prefixBytes + Buffer.byteLength(json) + 1
  const header = frameHeader(length)
  const bytes = Buffer.allocUnsafe(header.length + length)
  header.copy(bytes, 0)
  bytes.write(prefix, header.length, "latin1")
  const end = bytes.write(json, header.length + prefixBytes, "utf8") + header.length + prefixBytes
  bytes[end] = 0x5d // "]"
  return { event, bytes, headerBytes: header.length, jsonStart: header.length + prefixBytes }
}

/** The payload's JSON text. */
export const frameJson = (frame: LiveFrame): string =>
  frame.bytes.toString("utf8", frame.jsonStart, frame.bytes.length - 1)

/** The payload's JSON bytes (a view, no copy). */
export const frameJsonBytes = (frame: LiveFrame): Buffer =>
  frame.bytes.subarray(frame.jsonStart, frame.bytes.length - 1)

/** The Socket.IO packet text (`2[...]`) that Engine.IO sends over polling. */
export const frameSocketIoText = (frame: LiveFrame): string => frame.bytes.toString("utf8", frame.headerBytes + 1)

/** The frame split as ws's `sendFrame` takes it (header, payload): Engine.IO's pre-encoded frame option. */
export const wsPreEncodedFrame = (frame: LiveFrame): [Buffer, Buffer] => [
  frame.bytes.subarray(0, frame.headerBytes),
  frame.bytes.subarray(frame.headerBytes)
]

/**
 * A reply whose JSON is already written (history answers, the radar list):
 * Socket.IO sends `json` as the argument instead of stringifying an object.
 */
export class PreEncodedJson {
  constructor(readonly json: string) {}
}

interface SocketIoPacket {
  readonly type: number
  readonly nsp?: string
  readonly id?: number
  readonly data?: unknown
}
interface SocketIoEncoder {
  encode(packet: SocketIoPacket): Array<string | Buffer>
}

const PATCHED = Symbol.for("superdarn-hub/pre-encoded-json")

/**
 * Teaches the server's one encoder (shared by every namespace, adapter and
 * client) to splice PreEncodedJson arguments into the packet text, exactly as
 * socket.io-parser writes a string packet: type, namespace unless `/`, ack
 * id, then the JSON array of arguments. Other packets are left to it.
 */
export const sendsPreEncodedJson = (io: { readonly encoder: unknown }): void => {
  const encoder = io.encoder as SocketIoEncoder & { [PATCHED]?: true }
  if (encoder[PATCHED] === true) return
  const encode = encoder.encode.bind(encoder)
  encoder.encode = (packet) => {
    const data = packet.data
    if (!Array.isArray(data) || !data.some((arg) => arg instanceof PreEncodedJson)) return encode(packet)
    const args = data.map((arg) => (arg instanceof PreEncodedJson ? arg.json : JSON.stringify(arg)))
    const nsp = packet.nsp !== undefined && packet.nsp !== "/" ? `${packet.nsp},` : ""
    return [`${packet.type}${nsp}${packet.id ?? ""}[${args.join(",")}]`]
  }
  encoder[PATCHED] = true
}
