/**
 * Names and messages from outside (a source's listing, its error text) made
 * safe for a terminal or a log line: control characters (ESC, CR, LF…), DEL,
 * the C1 controls and the bidirectional overrides are shown as `\xNN` or
 * `\uNNNN`, and a backslash as `\\`, so a listing can neither drive the
 * terminal nor forge a table line, and the escapes cannot be faked.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g

export const printable = (text: string): string =>
  text.replace(UNPRINTABLE, (char) => {
    if (char === "\\") return "\\\\"
    const code = char.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`
  })
