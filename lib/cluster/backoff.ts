// When to replace a worker that died: at once after a long, healthy life; after a growing delay
// when workers keep dying soon after starting, so that a crash loop does not spin the CPU.

/** a worker that lived at least this long was healthy: its death does not count as a crash loop */
export const HEALTHY_UPTIME_MS = 10_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

export class RestartBackoff {
  #quickDeaths = 0;

  /** Records a worker's death; answers how long to wait before starting its replacement. */
  delayAfterDeath(uptimeMs: number): number {
    if (uptimeMs >= HEALTHY_UPTIME_MS) {
      this.#quickDeaths = 0;
      return 0;
    }
    this.#quickDeaths += 1;
    return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.#quickDeaths - 1));
  }
}
