/**
 * An institution's bandwidth cap, shared by every transfer of its run: a
 * token bucket in bytes that may go into debt, so a chunk larger than the
 * bucket still passes and the wait after it keeps the average at the cap,
 * even for caps far below one chunk per second. Plain callbacks, not
 * effects: it is consulted for every 32 KiB chunk of a download.
 */
const BURST_MILLIS = 250

export class BandwidthBudget {
  private readonly bytesPerMilli: number
  private readonly burst: number
  private tokens: number
  private updatedAt = Date.now()
  private waiters: Array<() => void> = []
  private timer: NodeJS.Timeout | undefined

  constructor(kibPerSecond: number) {
    this.bytesPerMilli = (kibPerSecond * 1024) / 1000
    this.burst = this.bytesPerMilli * BURST_MILLIS
    this.tokens = this.burst
  }

  private refill(): void {
    const now = Date.now()
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * this.bytesPerMilli)
    this.updatedAt = now
  }

  /** Spend `bytes` now unless the bucket is empty or in debt. */
  tryTake(bytes: number): boolean {
    this.refill()
    if (this.tokens <= 0) return false
    this.tokens -= bytes
    return true
  }

  /** Call `retry` once the debt is paid off. */
  wait(retry: () => void): void {
    this.waiters.push(retry)
    if (this.timer !== undefined) return
    this.refill()
    const delay = Math.max(1, Math.ceil((1 - this.tokens) / this.bytesPerMilli))
    this.timer = setTimeout(() => {
      this.timer = undefined
      const waiters = this.waiters
      this.waiters = []
      for (const waiter of waiters) waiter()
    }, delay)
    this.timer.unref()
  }
}
