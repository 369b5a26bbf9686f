import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { DEFAULT_CORS_ORIGINS } from "../../../src/layers/platform/AppConfig.js"
import { CorsOriginError, makeCorsPolicy, originAllowed, requestAllowed } from "../../../src/layers/platform/cors.js"

const policy = (entries: ReadonlyArray<string>) => Either.getOrThrow(makeCorsPolicy(entries))

describe("CORS policy", () => {
  it("allows localhost and 127.0.0.1 on any port by default, and nothing else", () => {
    const defaults = policy(DEFAULT_CORS_ORIGINS)
    for (
      const origin of ["http://localhost", "http://localhost:5173", "http://127.0.0.1:8080", "HTTP://LOCALHOST:3000"]
    ) {
      expect(originAllowed(defaults, origin), origin).toBe(true)
    }
    for (
      const origin of [
        "https://localhost:5173", // another scheme is another origin
        "http://localhost.evil.com",
        "http://evil.com/http://localhost",
        "http://127.0.0.2:80",
        "http://localhost:*",
        "null",
        ""
      ]
    ) {
      expect(originAllowed(defaults, origin), origin).toBe(false)
    }
  })

  it("matches exact origins including the port", () => {
    const exact = policy(["https://radar.example.org", "http://example.net:8080"])
    expect(originAllowed(exact, "https://radar.example.org")).toBe(true)
    expect(originAllowed(exact, "https://radar.example.org:8443")).toBe(false)
    expect(originAllowed(exact, "http://example.net:8080")).toBe(true)
    expect(originAllowed(exact, "http://example.net")).toBe(false)
  })

  it("allows any origin only for an explicit *", () => {
    expect(originAllowed(policy(["*"]), "https://anything.example")).toBe(true)
    expect(originAllowed(policy([]), "https://anything.example")).toBe(false)
  })

  it("lets requests without an Origin (non-browser clients) through", () => {
    expect(requestAllowed(policy([]), undefined)).toBe(true)
    expect(requestAllowed(policy([]), "https://a.example")).toBe(false)
  })

  it("refuses malformed entries, naming them", () => {
    for (const entry of ["localhost:3000", "https://example.org/", "ftp://example.org", "https://*.example.org"]) {
      const result = makeCorsPolicy(["http://localhost:*", entry])
      expect(result).toEqual(Either.left(new CorsOriginError({ entry, reason: expect.any(String) })))
    }
  })
})
