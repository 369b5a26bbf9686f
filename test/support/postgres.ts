/**
 * A PostgreSQL database of its own for one test: created on the server at
 * TEST_DATABASE_URL under a random name, dropped (with its connections) when
 * the scope closes, so tests never see each other's rows.
 */
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import pg from "pg"
import { TEST_DATABASE_URL } from "./required-service.js"

const admin = <A>(use: (client: pg.Client) => Promise<A>) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await client.connect()
    try {
      return await use(client)
    } finally {
      await client.end()
    }
  })

/** The URL of a fresh, empty database, dropped when the scope closes. */
export const scopedPostgresDatabase = Effect.acquireRelease(
  Effect.gen(function*() {
    const name = `sdh_test_${randomBytes(6).toString("hex")}`
    yield* admin((client) => client.query(`CREATE DATABASE ${name}`))
    const url = new URL(TEST_DATABASE_URL)
    url.pathname = `/${name}`
    return { name, url: url.toString() }
  }),
  ({ name }) => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).pipe(Effect.orDie)
)
