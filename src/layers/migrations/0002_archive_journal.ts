import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Placeholder: the owning feature replaces this body with its DDL.
export default Effect.gen(function*() {
  yield* SqlClient.SqlClient
})
