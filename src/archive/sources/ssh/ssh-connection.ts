/**
 * One SSH connection per institution per run, shared by the remote shell
 * commands and SFTP of the SSH source kinds.
 *
 * - Key authentication from a private-key file; the server's host key is
 *   checked against known_hosts unless the config explicitly opts out.
 * - TCP no-delay on the socket: with Nagle's algorithm on, SFTP's small
 *   request/response packets stall (a 5.7 MiB get took 12-25 s, not 0.1 s).
 * - Timeouts on connecting and on every remote command and SFTP request.
 * - An `SshLink` reconnects with jittered exponential backoff when the
 *   connection drops mid-run and reruns the interrupted operation, which
 *   resumes (downloads continue from the partial copy in the work dir).
 */
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as net from "node:net"
import ssh2 from "ssh2"
import type { Client, ClientChannel, SFTPWrapper } from "ssh2"
import { describeUnknown } from "../../../domain/unknown-error.js"
import type { SshConnectionSettings } from "../../../layers/archive/config/ssh-settings.js"
import { SourceError } from "../../source.js"
import type { SourceOperation } from "../../source.js"
import { BandwidthBudget } from "./bandwidth-budget.js"
import { hostKeyAlgorithms, hostLookupName, knownHostsFor, parseKnownHosts, verifyHostKey } from "./known-hosts.js"
import type { HostKeyVerdict, KnownHost } from "./known-hosts.js"

/** A failed SSH step. `lost` means the connection is gone and a reconnect may help. */
export class SshFailure extends Data.TaggedError("SshFailure")<{
  readonly reason: string
  readonly lost: boolean
  readonly retryable: boolean
  /** The SFTP status code the server answered with, if it answered. */
  readonly sftpStatus?: number
}> {
  override get message(): string {
    return this.reason
  }
}

export interface SshConnection {
  readonly client: Client
  readonly sftp: SFTPWrapper
  readonly isDropped: () => boolean
  /** Fails once the connection closes: requests race it, since ssh2 may never answer a request sent on a dead channel. */
  readonly dropped: Effect.Effect<never, SshFailure>
  readonly operationTimeout: Duration.Duration
}

export interface ExecResult {
  readonly exitCode: number
  readonly stdout: Buffer
  readonly stderr: string
}

export const SFTP_NO_SUCH_FILE = 2
const SFTP_PERMISSION_DENIED = 3

const messageOf = describeUnknown

/**
 * An SFTP request's error: a numeric `code` is a status the server sent, so
 * the connection is fine; anything else ("No response from server") means the
 * channel or connection died.
 */
export const sftpFailure = (cause: unknown): SshFailure => {
  const code = (cause as { code?: unknown } | undefined)?.code
  if (typeof code === "number") {
    return new SshFailure({
      reason: messageOf(cause),
      lost: false,
      retryable: code !== SFTP_PERMISSION_DENIED,
      sftpStatus: code
    })
  }
  return new SshFailure({ reason: messageOf(cause), lost: true, retryable: true })
}

/** One SFTP request with the operation timeout; a request that never answers means a dead link. */
export const sftpRequest = <A>(
  connection: SshConnection,
  call: (sftp: SFTPWrapper, done: (error: Error | null | undefined, value: A) => void) => void
): Effect.Effect<A, SshFailure> =>
  Effect.async<A, SshFailure>((resume) => {
    call(connection.sftp, (error, value) => {
      resume(error ? Effect.fail(sftpFailure(error)) : Effect.succeed(value))
    })
  }).pipe(
    Effect.raceFirst(connection.dropped),
    Effect.timeoutFail({
      duration: connection.operationTimeout,
      onTimeout: () =>
        new SshFailure({
          reason: `no SFTP answer within ${Duration.format(connection.operationTimeout)}`,
          lost: true,
          retryable: true
        })
    }),
    // Requests often run inside a resource's acquire step, which is
    // uninterruptible; the race and the timeout must still be able to stop
    // their losers.
    Effect.interruptible
  )

/** Run one remote command, collecting stdout (bytes) and stderr (text). */
export const execCommand = (connection: SshConnection, command: string): Effect.Effect<ExecResult, SshFailure> =>
  Effect.async<ExecResult, SshFailure>((resume) => {
    let channel: ClientChannel | undefined
    connection.client.exec(command, (error, stream) => {
      if (error) {
        resume(Effect.fail(new SshFailure({ reason: error.message, lost: connection.isDropped(), retryable: true })))
        return
      }
      channel = stream
      const stdout: Array<Buffer> = []
      let stderr = ""
      stream.on("data", (chunk: Buffer) => stdout.push(chunk))
      stream.stderr.setEncoding("utf8")
      stream.stderr.on("data", (chunk: string) => {
        // Only the start matters for an error message; never grow without bound.
        if (stderr.length < 4096) stderr += chunk
      })
      stream.on("close", (code: unknown, signal: unknown) => {
        if (typeof code === "number") {
          resume(Effect.succeed({ exitCode: code, stdout: Buffer.concat(stdout), stderr }))
        } else {
          const lost = signal === undefined || connection.isDropped()
          const reason = lost ? "connection closed during remote command" : `remote command killed by ${String(signal)}`
          resume(Effect.fail(new SshFailure({ reason, lost, retryable: true })))
        }
      })
    })
    return Effect.sync(() => channel?.close())
  }).pipe(
    Effect.raceFirst(connection.dropped),
    Effect.timeoutFail({
      duration: connection.operationTimeout,
      onTimeout: () =>
        new SshFailure({
          reason: `remote command did not finish within ${Duration.format(connection.operationTimeout)}`,
          lost: false,
          retryable: true
        })
    }),
    Effect.interruptible
  )

const hostKeyReason = (verdict: HostKeyVerdict, settings: SshConnectionSettings): string => {
  const name = hostLookupName(settings.host, settings.port)
  switch (verdict) {
    case "mismatch":
      return `host key for ${name} does not match ${settings.knownHostsPath} (possible man-in-the-middle; update known_hosts only after checking)`
    case "revoked":
      return `host key for ${name} is marked @revoked in ${settings.knownHostsPath}`
    case "unknown":
      return `no host key for ${name} in ${settings.knownHostsPath} (add it with ssh-keyscan after checking its fingerprint)`
    case "trusted":
      return "host key trusted"
  }
}

/** Open one authenticated connection with its SFTP channel, closed with the scope. */
const connect = (
  settings: SshConnectionSettings,
  privateKey: Buffer,
  knownHosts: ReadonlyArray<KnownHost> | undefined
): Effect.Effect<SshConnection, SshFailure, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<SshConnection, SshFailure>((resume) => {
      const client = new ssh2.Client()
      let verdict: HostKeyVerdict | undefined
      let dropped = false
      const closed = Deferred.unsafeMake<never, SshFailure>(FiberId.none)
      const markDropped = (reason: string) => {
        dropped = true
        Deferred.unsafeDone(closed, Exit.fail(new SshFailure({ reason, lost: true, retryable: true })))
      }
      let settled = false
      const fail = (reason: string, retryable: boolean) => {
        if (settled) return
        settled = true
        client.end()
        resume(Effect.fail(new SshFailure({ reason, lost: true, retryable })))
      }
      // The listener stays for the connection's life: an 'error' event
      // without one would crash the process.
      client.on("error", (error: Error & { level?: string }) => {
        markDropped(`connection failed: ${error.message}`)
        if (verdict !== undefined && verdict !== "trusted") fail(hostKeyReason(verdict, settings), false)
        else if (error.level === "client-authentication") {
          fail(`${settings.user}@${settings.host} refused the key ${settings.privateKeyPath}`, false)
        } else fail(error.message, true)
      })
      client.on("close", () => {
        markDropped("connection closed")
        fail("connection closed during handshake", true)
      })
      client.on("ready", () => {
        client.sftp((error, sftp) => {
          if (error) return fail(`SFTP subsystem refused: ${error.message}`, false)
          settled = true
          resume(
            Effect.succeed({
              client,
              sftp,
              isDropped: () => dropped,
              dropped: Deferred.await(closed),
              operationTimeout: Duration.seconds(settings.operationTimeoutSeconds)
            })
          )
        })
      })
      const entries = knownHosts === undefined ? undefined : knownHostsFor(knownHosts, settings.host, settings.port)
      const sock = net.connect({ host: settings.host, port: settings.port })
      sock.setNoDelay(true)
      try {
        client.connect({
          sock,
          username: settings.user,
          privateKey,
          readyTimeout: settings.connectTimeoutSeconds * 1000,
          keepaliveInterval: 10_000,
          keepaliveCountMax: 3,
          ...(entries === undefined
            ? {}
            : {
              hostVerifier: (key: Buffer) => {
                verdict = verifyHostKey(entries, key)
                return verdict === "trusted"
              },
              ...(entries.length === 0
                ? {}
                : { algorithms: { serverHostKey: hostKeyAlgorithms(entries) as Array<never> } })
            })
        })
      } catch (error) {
        sock.destroy()
        fail(`cannot use private key ${settings.privateKeyPath}: ${messageOf(error)}`, false)
      }
      return Effect.sync(() => {
        settled = true
        client.end()
        sock.destroy()
      })
    }),
    (connection) => Effect.sync(() => connection.client.end())
  )

/** A run's connection to one SSH peer, reconnecting when it drops. */
export interface SshLink {
  readonly settings: SshConnectionSettings
  /** `user@host:port`, for messages. */
  readonly peer: string
  /** The institution's bandwidth cap, shared by every transfer on the link. */
  readonly budget: BandwidthBudget | undefined
  /**
   * Run `use` on a live connection. When the connection is lost, reconnect
   * with backoff and run `use` again, so `use` must be safe to repeat.
   */
  readonly run: <A>(
    operation: SourceOperation,
    file: string | undefined,
    use: (connection: SshConnection) => Effect.Effect<A, SshFailure>
  ) => Effect.Effect<A, SourceError>
}

const readLocalFile = (file: string, what: string, source: string) =>
  Effect.try({
    try: () => fs.readFileSync(file),
    catch: (cause) =>
      new SourceError({
        source,
        operation: "connect",
        file: undefined,
        reason: `cannot read ${what} ${file}: ${messageOf(cause)}`,
        retryable: false
      })
  })

/** Connect now (so a refused key or host key fails the run at once) and keep the link for the scope. */
export const openSshLink = (
  source: string,
  settings: SshConnectionSettings
): Effect.Effect<SshLink, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const privateKey = yield* readLocalFile(settings.privateKeyPath, "private key", source)
    const knownHosts = settings.insecureSkipHostKeyCheck
      ? undefined
      : parseKnownHosts((yield* readLocalFile(settings.knownHostsPath, "known_hosts", source)).toString("utf8"))
    const budget = settings.bandwidthLimitKiBps === undefined
      ? undefined
      : new BandwidthBudget(settings.bandwidthLimitKiBps)
    const peer = `${settings.user}@${settings.host}:${settings.port}`
    const lock = yield* Effect.makeSemaphore(1)
    let current: { readonly connection: SshConnection; readonly scope: Scope.CloseableScope } | undefined

    const dropCurrent = Effect.suspend(() => {
      const stale = current
      current = undefined
      return stale === undefined ? Effect.void : Scope.close(stale.scope, Exit.void)
    })
    yield* Effect.addFinalizer(() => dropCurrent)

    // Serialised, so concurrent operations share one reconnect.
    const live = lock.withPermits(1)(
      Effect.gen(function*() {
        if (current !== undefined && !current.connection.isDropped()) return current.connection
        yield* dropCurrent
        const scope = yield* Scope.make()
        const connection = yield* connect(settings, privateKey, knownHosts).pipe(
          Scope.extend(scope),
          Effect.onError(() => Scope.close(scope, Exit.void))
        )
        current = { connection, scope }
        return connection
      })
    )

    const backoff = Schedule.exponential(Duration.millis(settings.reconnectDelayMillis)).pipe(
      Schedule.jittered,
      Schedule.intersect(Schedule.recurs(settings.reconnectAttempts))
    )

    const toSourceError = (operation: SourceOperation, file: string | undefined) => (failure: SshFailure) =>
      SourceError.fromCause(failure, { source, operation, file })

    const run = <A>(
      operation: SourceOperation,
      file: string | undefined,
      use: (connection: SshConnection) => Effect.Effect<A, SshFailure>
    ): Effect.Effect<A, SourceError> =>
      Effect.gen(function*() {
        const connection = yield* live
        return yield* use(connection).pipe(
          Effect.tapError((failure) =>
            failure.lost
              ? Effect.logWarning(`${peer}: connection lost (${failure.reason}); reconnecting`).pipe(
                Effect.zipRight(lock.withPermits(1)(current?.connection === connection ? dropCurrent : Effect.void))
              )
              : Effect.void
          )
        )
      }).pipe(
        Effect.retry({ schedule: backoff, while: (failure) => failure.lost && failure.retryable }),
        Effect.mapError(toSourceError(operation, file))
      )

    // The first connection is not retried: the collector's own schedule and
    // backoff decide when an unreachable institution is tried again.
    yield* live.pipe(Effect.mapError(toSourceError("connect", undefined)))
    return { settings, peer, budget, run }
  })
