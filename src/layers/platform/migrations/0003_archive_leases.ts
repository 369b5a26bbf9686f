/**
 * One run per institution across processes and machines sharing the journal:
 * a row per institution naming the holder and when its lease runs out. A run
 * renews it while it works; a holder that died stops renewing, and the next
 * run takes over once the lease has expired.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE archive_leases (
    institution TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  )`
})
