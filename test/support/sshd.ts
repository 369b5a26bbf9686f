/**
 * A real OpenSSH server for tests: Debian's /usr/sbin/sshd started as a child
 * on 127.0.0.1 with an ephemeral port, a temporary host key, and an
 * authorized_keys file holding a temporary client key. It never reads the
 * machine's sshd_config or host keys and never binds port 22. The server and
 * its folder are removed when the scope closes.
 */
import { describe, it, layer, type Vitest } from "@effect/vitest"
import { Context, Data, Effect, Layer } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { describeUnknown } from "../../src/domain/unknown-error.js"
import { requirePrograms } from "./required-program.js"

/** A per-connection child may exit between listing and kill; that is what we want anyway. */
const killIfAlive = (pid: number) => {
  try {
    process.kill(pid, "SIGKILL")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error
  }
}

export const SSHD_PATH = "/usr/sbin/sshd"

export class SshdStartError extends Data.TaggedError("SshdStartError")<{
  readonly reason: string
}> {
  override get message(): string {
    return `cannot start a test sshd: ${this.reason}`
  }
}

export interface SshdServer {
  readonly host: string
  readonly port: number
  readonly user: string
  /** Private key accepted by the server. */
  readonly clientKeyPath: string
  /** known_hosts with the server's key under `[127.0.0.1]:port`. */
  readonly knownHostsPath: string
  /** The server's public key line (`ssh-ed25519 AAAA...`). */
  readonly hostPublicKey: string
  /** A scratch folder, removed with the server; tests make their remote dirs here. */
  readonly dir: string
  readonly pid: number
  /** SIGKILL every per-connection sshd child, dropping live connections; returns how many. */
  readonly killConnections: () => number
}

export class Sshd extends Context.Tag("test/Sshd")<Sshd, SshdServer>() {}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** Children of `pid`, read from /proc (field 4 of /proc/<n>/stat is the parent). */
export const childPids = (pid: number): ReadonlyArray<number> => {
  const children: Array<number> = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(fields[1]) === pid) children.push(Number(entry))
    } catch {
      // The process exited while we were reading.
    }
  }
  return children
}

const keygen = (file: string) =>
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "sdh-test", "-f", file])

const writeConfig = (dir: string) => {
  const config = [
    "ListenAddress 127.0.0.1",
    `HostKey ${dir}/host_ed25519`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    `PidFile ${dir}/sshd.pid`,
    "StrictModes no",
    "UsePAM no",
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "MaxStartups 50",
    "Subsystem sftp internal-sftp",
    "LogLevel INFO"
  ].join("\n")
  fs.writeFileSync(path.join(dir, "sshd_config"), `${config}\n`)
}

interface Running {
  readonly pid: number
  readonly port: number
  readonly stop: () => Promise<void>
}

/** Start sshd on `port`; resolves once it listens, rejects if it exits first. */
const launch = (dir: string, port: number) =>
  new Promise<Running>((resolve, reject) => {
    const child = spawn(SSHD_PATH, ["-D", "-e", "-f", path.join(dir, "sshd_config"), "-p", String(port)], {
      stdio: ["ignore", "ignore", "pipe"]
    })
    let log = ""
    let ready = false
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.stderr.setEncoding("utf8")
    child.stderr.on("data", (chunk: string) => {
      if (!ready) {
        log += chunk
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          ready = true
          resolve({
            pid: child.pid!,
            port,
            stop: () => {
              for (const pid of childPids(child.pid!)) killIfAlive(pid)
              child.kill("SIGTERM")
              return exited
            }
          })
        }
      }
    })
    child.once("error", (error) => reject(error))
    child.once("exit", (code) => {
      if (!ready) reject(new Error(`sshd exited with ${code}: ${log.trim()}`))
    })
  })

const start = Effect.tryPromise({
  try: async () => {
    if (!fs.existsSync(SSHD_PATH)) throw new Error(`${SSHD_PATH} is not installed (Debian package openssh-server)`)
    // sshd refuses to start without its privilege-separation folder, which
    // only the system service normally creates.
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 })
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdh-sshd-"))
    keygen(path.join(dir, "host_ed25519"))
    keygen(path.join(dir, "client_ed25519"))
    fs.copyFileSync(path.join(dir, "client_ed25519.pub"), path.join(dir, "authorized_keys"))
    writeConfig(dir)
    let lastError: unknown
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const running = await launch(dir, await freePort())
        const hostPublicKey = fs.readFileSync(path.join(dir, "host_ed25519.pub"), "utf8").split(" ").slice(0, 2).join(
          " "
        )
        const knownHostsPath = path.join(dir, "known_hosts")
        fs.writeFileSync(knownHostsPath, `[127.0.0.1]:${running.port} ${hostPublicKey}\n`)
        const server: SshdServer = {
          host: "127.0.0.1",
          port: running.port,
          user: os.userInfo().username,
          clientKeyPath: path.join(dir, "client_ed25519"),
          knownHostsPath,
          hostPublicKey,
          dir,
          pid: running.pid,
          killConnections: () => {
            const children = childPids(running.pid)
            for (const pid of children) process.kill(pid, "SIGKILL")
            return children.length
          }
        }
        return { server, stop: running.stop }
      } catch (error) {
        // Another process may have taken the port between probe and bind.
        lastError = error
      }
    }
    fs.rmSync(dir, { recursive: true, force: true })
    throw lastError
  },
  catch: (cause) => new SshdStartError({ reason: describeUnknown(cause) })
})

/** A running sshd for the enclosing scope. */
export const startSshd = Effect.acquireRelease(start, ({ server, stop }) =>
  Effect.promise(async () => {
    await stop()
    fs.rmSync(server.dir, { recursive: true, force: true })
  })).pipe(Effect.map(({ server }) => server))

/** One sshd per suite: `layer(SshdLive)("...", (it) => ...)`. */
export const SshdLive = Layer.scoped(Sshd, startSshd)

/**
 * A suite against one real sshd, skipped with one line when sshd, ssh-keygen
 * or another program the suite names (`rsync`) is missing, and failing
 * instead under CI=true (see required-program.ts).
 */
export const describeWithSshd = (
  name: string,
  alsoNeeds: ReadonlyArray<readonly [program: string, debianPackage: string]>,
  tests: (it: Vitest.MethodsNonLive<Sshd, true>) => void
): void => {
  const missing = requirePrograms([[SSHD_PATH, "openssh-server"], ["ssh-keygen", "openssh-client"], ...alsoNeeds])
  if (missing === undefined) layer(SshdLive, { excludeTestServices: true })(name, tests)
  else describe(name, () => it.skip(`skipped: ${missing}`, () => {}))
}
