/**
 * Echo counts of one fitacf record: every range gate in `slist` is an echo,
 * split by its ground-scatter flag.
 */
import type { Fitacf } from "../dmap/fitacf.js"

export interface EchoCount {
  readonly total: number
  readonly ionospheric: number
  readonly groundScatter: number
}

/**
 * A gate counts as ground scatter when `gflg == 1` and as ionospheric when
 * `gflg == 0`; any other flag value counts towards `total` only.
 */
export const countEchoes = (fitacf: Pick<Fitacf, "slist" | "gflg">): EchoCount => {
  const total = fitacf.slist.length
  const gflg = fitacf.gflg
  const flagged = Math.min(total, gflg.length)
  let ionospheric = 0
  let groundScatter = 0
  for (let i = 0; i < flagged; i++) {
    const flag = gflg[i]
    if (flag === 0) ionospheric++
    else if (flag === 1) groundScatter++
  }
  return { total, ionospheric, groundScatter }
}
