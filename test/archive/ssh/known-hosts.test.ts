import { describe, expect, it } from "@effect/vitest"
import { createHmac } from "node:crypto"
import {
  hostKeyAlgorithms,
  knownHostsFor,
  parseKnownHosts,
  patternsMatch,
  verifyHostKey
} from "../../../src/archive/sources/ssh/known-hosts.js"

const ED25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
const OTHER = "AAAAC3NzaC1lZDI1NTE5AAAAIBvZp5l0ZfY7Kk8Z0dQn8iE2v8WQmJt1c2pT9mF3xQ2a"
const key = (base64: string) => Buffer.from(base64, "base64")

const hashed = (name: string, salt = Buffer.from("0123456789abcdefghij")) =>
  `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`

describe("known_hosts", () => {
  it("matches plain names, [host]:port for other ports, wildcards and negations", () => {
    expect(patternsMatch(["superdarn.ece.vt.edu"], "superdarn.ece.vt.edu")).toBe(true)
    expect(patternsMatch(["[127.0.0.1]:2222"], "[127.0.0.1]:2222")).toBe(true)
    expect(patternsMatch(["127.0.0.1"], "[127.0.0.1]:2222")).toBe(false)
    expect(patternsMatch(["*.usask.ca"], "superdarn.usask.ca")).toBe(true)
    expect(patternsMatch(["*.usask.ca", "!bad.usask.ca"], "bad.usask.ca")).toBe(false)
    expect(patternsMatch(["sd?.uaf.edu"], "sd1.uaf.edu")).toBe(true)
    expect(patternsMatch(["a.b.c"], "aXb.c")).toBe(false)
  })

  it("matches hashed entries, including the [host]:port form", () => {
    expect(patternsMatch([hashed("[127.0.0.1]:2222")], "[127.0.0.1]:2222")).toBe(true)
    expect(patternsMatch([hashed("[127.0.0.1]:2222")], "[127.0.0.1]:2223")).toBe(false)
    expect(patternsMatch([hashed("sansa.example")], "sansa.example")).toBe(true)
  })

  it("trusts a listed key, reports a different key as a mismatch, an unlisted host as unknown, a revoked key as revoked", () => {
    const text = [
      "# comment",
      `[sd.example]:2222,10.0.0.1 ssh-ed25519 ${ED25519} vt`,
      `@revoked * ssh-ed25519 ${OTHER}`,
      `@cert-authority *.example ssh-ed25519 ${OTHER}`,
      "garbage line",
      ""
    ].join("\n")
    const hosts = parseKnownHosts(text)
    expect(hosts).toHaveLength(2)
    const entries = knownHostsFor(hosts, "sd.example", 2222)
    expect(verifyHostKey(entries, key(ED25519))).toBe("trusted")
    expect(verifyHostKey(knownHostsFor(hosts, "10.0.0.1", 22), key(ED25519))).toBe("trusted")
    expect(verifyHostKey(entries, key(OTHER))).toBe("revoked")
    expect(verifyHostKey(entries, Buffer.from("another key"))).toBe("mismatch")
    expect(verifyHostKey(knownHostsFor(hosts, "elsewhere.example", 22), Buffer.from("another key"))).toBe("unknown")
  })

  it("offers the host-key algorithms known_hosts has for the host, RSA as its SHA-2 signatures first", () => {
    const hosts = parseKnownHosts(`h ssh-rsa ${ED25519}\nh ssh-ed25519 ${ED25519}\n`)
    expect(hostKeyAlgorithms(knownHostsFor(hosts, "h", 22))).toEqual([
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
      "ssh-ed25519"
    ])
  })
})
