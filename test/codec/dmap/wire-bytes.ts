/** Hand-written DMAP bytes for error tests: each helper writes one wire item, little-endian. */

export const int32 = (value: number): Uint8Array => {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setInt32(0, value, true)
  return bytes
}

export const int16 = (value: number): Uint8Array => {
  const bytes = new Uint8Array(2)
  new DataView(bytes.buffer).setInt16(0, value, true)
  return bytes
}

/** A NUL-terminated ASCII string. */
export const cstring = (text: string): Uint8Array => Uint8Array.from([...text].map((c) => c.charCodeAt(0)).concat(0))

export const byte = (value: number): Uint8Array => Uint8Array.of(value)

export const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** A record header (code 65537) and body; the size field is right unless given. */
export const record = (
  scalarCount: number,
  arrayCount: number,
  body: Uint8Array,
  size: number = 16 + body.length
): Uint8Array => concat(int32(65537), int32(size), int32(scalarCount), int32(arrayCount), body)

/** A short scalar entry. */
export const shortScalar = (name: string, value: number): Uint8Array => concat(cstring(name), byte(2), int16(value))
