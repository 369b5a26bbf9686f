/**
 * OpenSSH known_hosts, read the way `ssh` reads it: plain and hashed
 * (`|1|salt|hash`) host names, `[host]:port` for ports other than 22,
 * `*`/`?` wildcards, `!` negations and `@revoked` keys. `@cert-authority`
 * lines are skipped: the archive's peers use plain host keys.
 */
import { createHmac, timingSafeEqual } from "node:crypto"

export interface KnownHost {
  readonly revoked: boolean
  readonly patterns: ReadonlyArray<string>
  readonly keyType: string
  readonly key: Buffer
}

export type HostKeyVerdict = "trusted" | "mismatch" | "unknown" | "revoked"

/** Lines that do not parse are ignored, as ssh does. */
export const parseKnownHosts = (text: string): ReadonlyArray<KnownHost> => {
  const hosts: Array<KnownHost> = []
  for (const raw of text.split("\n")) {
    const line = raw.trim()
    if (line.length === 0 || line.startsWith("#")) continue
    const fields = line.split(/\s+/)
    let revoked = false
    if (fields[0]?.startsWith("@")) {
      const marker = fields.shift()
      if (marker === "@revoked") revoked = true
      else continue
    }
    const [patterns, keyType, keyBase64] = fields
    if (patterns === undefined || keyType === undefined || keyBase64 === undefined) continue
    const key = Buffer.from(keyBase64, "base64")
    if (key.length === 0) continue
    hosts.push({ revoked, patterns: patterns.split(","), keyType, key })
  }
  return hosts
}

/** The name ssh looks up: `host` on port 22, `[host]:port` otherwise. */
export const hostLookupName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`)

const wildcardMatches = (pattern: string, name: string): boolean => {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".")
  return new RegExp(`^${source}$`, "i").test(name)
}

const hashedMatches = (pattern: string, name: string): boolean => {
  const [, magic, salt, hash] = pattern.split("|")
  if (magic !== "1" || salt === undefined || hash === undefined) return false
  const expected = Buffer.from(hash, "base64")
  const actual = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest()
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/** True when the comma-separated patterns of one line select `name`. */
export const patternsMatch = (patterns: ReadonlyArray<string>, name: string): boolean => {
  let matched = false
  for (const pattern of patterns) {
    if (pattern.startsWith("|")) {
      if (hashedMatches(pattern, name)) matched = true
    } else if (pattern.startsWith("!")) {
      if (wildcardMatches(pattern.slice(1), name)) return false
    } else if (wildcardMatches(pattern, name)) {
      matched = true
    }
  }
  return matched
}

/** Entries for `host`:`port`. */
export const knownHostsFor = (
  hosts: ReadonlyArray<KnownHost>,
  host: string,
  port: number
): ReadonlyArray<KnownHost> => {
  const name = hostLookupName(host, port)
  return hosts.filter((entry) => patternsMatch(entry.patterns, name))
}

/** Judge the key a server presented against its known_hosts entries. */
export const verifyHostKey = (entries: ReadonlyArray<KnownHost>, presented: Buffer): HostKeyVerdict => {
  if (entries.some((entry) => entry.revoked && entry.key.equals(presented))) return "revoked"
  const trusted = entries.filter((entry) => !entry.revoked)
  if (trusted.some((entry) => entry.key.equals(presented))) return "trusted"
  return trusted.length === 0 ? "unknown" : "mismatch"
}

/**
 * Host-key algorithms to offer so the server presents a key type we know:
 * like ssh, prefer what known_hosts holds instead of failing on a type we
 * have never seen.
 */
export const hostKeyAlgorithms = (entries: ReadonlyArray<KnownHost>): ReadonlyArray<string> => {
  const algorithms = new Set<string>()
  for (const entry of entries) {
    if (entry.revoked) continue
    if (entry.keyType === "ssh-rsa") {
      algorithms.add("rsa-sha2-512")
      algorithms.add("rsa-sha2-256")
      algorithms.add("ssh-rsa")
    } else {
      algorithms.add(entry.keyType)
    }
  }
  return [...algorithms]
}
