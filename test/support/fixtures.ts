/**
 * Where the tests find real data files: test/fixtures for the codec's
 * samples, data/replay for the records the demo replays (shipped with the
 * package, so they live outside test/). A name is looked up in that order.
 */
import fs from "node:fs"
import path from "node:path"

const ROOT = path.join(import.meta.dirname, "..", "..")
export const FIXTURES_DIR = path.join(ROOT, "test", "fixtures")
export const REPLAY_DIR = path.join(ROOT, "data", "replay")

export const fixturePath = (name: string): string => {
  const inFixtures = path.join(FIXTURES_DIR, name)
  return fs.existsSync(inFixtures) ? inFixtures : path.join(REPLAY_DIR, name)
}
