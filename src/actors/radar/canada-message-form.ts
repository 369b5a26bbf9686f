/**
 * Telling the SuperDARN Canada ZeroMQ message forms apart, by frame count and
 * content (never by configuration, since one publisher may relay several):
 *
 * - aggregator:   [site, zlib(DMAP)]            the site is the topic
 * - borealis:     ["fitacf/<slice>", bz2(DMAP)] Borealis v1.1; site from stid
 * - bz2-dmap:     [bz2(DMAP)]                   older Borealis; site from stid
 * - zlib-json:    [zlib(JSON fitacf)]           older Borealis; site from stid
 *
 * Compression is recognised by its header bytes, so a two-frame message with
 * the other compression is still read.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { detectCompression } from "../../compression/detect.js"

export type CanadaMessageForm = "aggregator" | "borealis" | "bz2-dmap" | "zlib-json"

export interface CanadaMessage {
  readonly form: CanadaMessageForm
  /** The site the message names (aggregator topic); otherwise the record's stid decides. */
  readonly site: string | undefined
  readonly compression: "zlib" | "bzip2"
  readonly payload: Uint8Array
}

export class CanadaMessageError extends Data.TaggedError("CanadaMessageError")<{
  readonly form: CanadaMessageForm | "unknown"
  readonly site: string | undefined
  readonly reason: string
}> {
  override get message(): string {
    return `ZeroMQ ${this.form} message${this.site === undefined ? "" : ` for ${this.site}`}: ${this.reason}`
  }
}

/** RFC 1950 header: deflate method, window <= 32 KiB, check bits. */
const isZlib = (bytes: Uint8Array): boolean => {
  const cmf = bytes[0]
  const flg = bytes[1]
  if (cmf === undefined || flg === undefined) return false
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0
}

const compressionOf = (bytes: Uint8Array): "zlib" | "bzip2" | undefined =>
  detectCompression(bytes) === "bzip2" ? "bzip2" : isZlib(bytes) ? "zlib" : undefined

const MAX_TOPIC_BYTES = 64

/** The topic frame as text, if it is short printable ASCII. */
const topicText = (bytes: Uint8Array): string | undefined => {
  if (bytes.length === 0 || bytes.length > MAX_TOPIC_BYTES) return undefined
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) return undefined
  return String.fromCharCode(...bytes)
}

const SITE_TOPIC = /^[a-z]{3}$/
const BOREALIS_TOPIC = /^([a-z]+)\/(.+)$/

export const classifyMessage = (
  frames: ReadonlyArray<Uint8Array>
): Either.Either<CanadaMessage, CanadaMessageError> => {
  const refuse = (reason: string, form: CanadaMessageForm | "unknown" = "unknown", site?: string) =>
    Either.left(new CanadaMessageError({ form, site, reason }))
  if (frames.length === 1) {
    const payload = frames[0]!
    const compression = compressionOf(payload)
    if (compression === undefined) return refuse("a single frame that is neither bzip2 nor zlib")
    return Either.right({
      form: compression === "bzip2" ? "bz2-dmap" : "zlib-json",
      site: undefined,
      compression,
      payload
    })
  }
  if (frames.length !== 2) return refuse(`${frames.length} frames; expected 1 or 2`)
  const topic = topicText(frames[0]!)
  if (topic === undefined) return refuse("the first of two frames is not a topic")
  const payload = frames[1]!
  const compression = compressionOf(payload)
  if (SITE_TOPIC.test(topic)) {
    if (compression === undefined) return refuse("the payload is neither zlib nor bzip2", "aggregator", topic)
    return Either.right({ form: "aggregator", site: topic, compression, payload })
  }
  const borealis = BOREALIS_TOPIC.exec(topic)
  if (borealis !== null) {
    if (borealis[1] !== "fitacf") return refuse(`topic "${topic}" is not fitacf data`, "borealis")
    if (compression === undefined) return refuse("the payload is neither bzip2 nor zlib", "borealis")
    return Either.right({ form: "borealis", site: undefined, compression, payload })
  }
  return refuse(`unknown topic "${topic}"`)
}
