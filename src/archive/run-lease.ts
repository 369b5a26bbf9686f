/**
 * One run per institution across processes and machines: the run holds a
 * lease row in the journal's database, renews it while it works, and gives it
 * back at the end. A holder killed outright stops renewing; its lease expires
 * and the next run takes over.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { randomUUID } from "node:crypto"
import * as os from "node:os"
import { isErrno } from "../domain/unknown-error.js"
import { ArchiveJournal } from "../layers/archive/ArchiveJournal.js"

export class InstitutionBusy extends Data.TaggedError("InstitutionBusy")<{
  readonly institution: string
  readonly holder: string
  readonly until: number
}> {
  override get message(): string {
    return `archive ${this.institution}: another run holds it (${this.holder}) until ${
      new Date(this.until).toISOString()
    }`
  }
}

/** Long enough to ride out a slow disk or a busy database, short enough that a crash costs one slot. */
export const LEASE_MS = 60_000
const RENEW_EVERY_MS = LEASE_MS / 3

/** Who this process is, for the other side's message. */
const holderId = () => `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

/**
 * A holder on this machine whose process is gone (killed outright, so it never
 * gave the lease back): its lease is stale now, not when it expires. A reused
 * process id only makes us wait for the expiry, the safe side.
 */
const deadLocalHolder = (holder: string): boolean => {
  const [host, pidText] = holder.split(":")
  const pid = Number(pidText)
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return isErrno(error, "ESRCH")
  }
}

/** Hold `institution`'s lease for the rest of the scope, or fail with who holds it. */
export const holdLease = (institution: string) =>
  Effect.gen(function*() {
    const journal = yield* ArchiveJournal
    const holder = holderId()
    const take = Effect.gen(function*() {
      const now = Date.now()
      return yield* journal.takeLease(institution, holder, now, now + LEASE_MS)
    })
    let first = yield* take
    if (!first.granted && deadLocalHolder(first.holder)) {
      yield* Effect.logWarning(`archive ${institution}: the lease of ${first.holder} is freed, that process is gone`)
      // Deletes only that holder's row: if another run took it meanwhile, nothing changes.
      yield* journal.releaseLease(institution, first.holder)
      first = yield* take
    }
    if (!first.granted) {
      return yield* new InstitutionBusy({ institution, holder: first.holder, until: first.expiresAt })
    }
    yield* Effect.addFinalizer(() => journal.releaseLease(institution, holder).pipe(Effect.ignore))
    yield* take.pipe(
      Effect.tap((lease) =>
        lease.granted
          ? Effect.void
          : Effect.logError(`archive ${institution}: lease lost to ${lease.holder}; the run was too slow to renew it`)
      ),
      Effect.catchAll((error) => Effect.logWarning(`archive ${institution}: lease not renewed: ${error.message}`)),
      Effect.repeat(Schedule.spaced(Duration.millis(RENEW_EVERY_MS))),
      Effect.delay(Duration.millis(RENEW_EVERY_MS)),
      Effect.forkScoped
    )
  })
