/** The real fitacf corpus every benchmark replays: the demo's 100 Hankasalmi records. */
import { packagePath } from "../src/domain/package-files.js"

export const REPLAY_FITACF = packagePath("data", "replay", "pydarn-north.fitacf.bz2")
