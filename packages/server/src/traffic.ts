/**
 * Sends `percent` of requests to the canary, deterministically: each request adds `percent`
 * credit, and a request that brings the credit to 100 goes to the canary and spends it. At 20%
 * every fifth request goes to the canary, so any window of n requests holds within one of
 * 0.2·n canary requests. A random split would need thousands of requests before a step of a
 * canary rollout could tell 20% from 15%; this one is exact at every step.
 */
export class TrafficSplit {
  readonly percent: number;
  #credit = 0;

  constructor(percent: number) {
    if (!(percent >= 0 && percent <= 100))
      throw new RangeError(`canary percent ${percent} is not within 0–100`);
    this.percent = percent;
  }

  /** True when the next request goes to the canary. */
  next(): boolean {
    this.#credit += this.percent;
    if (this.#credit < 100) return false;
    this.#credit -= 100;
    return true;
  }
}
