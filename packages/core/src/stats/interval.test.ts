import { describe, expect, it } from 'vitest';
import { bcaLevels, confidenceInterval } from './interval.ts';
import { normalCdf, normalQuantile } from './normal.ts';

/**
 * BCa's bias term where many resamples tie with the estimate, as a discrete metric's do
 * (accuracy on n rows takes only n + 1 values): the ties count as half, as in
 * scipy.stats.bootstrap (its _percentile_of_score takes the mean of < and <=). Counting only
 * the resamples strictly below would read a symmetric distribution as biased.
 */
describe("BCa's bias term", () => {
  // 300 resamples below the estimate, 400 on it, 300 above: symmetric about it.
  const sorted = Float64Array.from([...Array(300).fill(0.9), ...Array(400).fill(1), ...Array(300).fill(1.1)]);

  it('counts resamples equal to the estimate as half, so a symmetric distribution has no bias', () => {
    const [low, high] = bcaLevels(sorted, 1, 0, [0.025, 0.975])!;
    expect(low).toBeCloseTo(0.025, 12);
    expect(high).toBeCloseTo(0.975, 12);
    expect(confidenceInterval(sorted, 1, 0, 0.95)).toEqual([0.9, 1.1]);
  });

  it('moves the levels by z0 = Φ⁻¹((below + equal/2) / B) otherwise', () => {
    // With the estimate at 1.1: 700 resamples below it, 300 equal.
    const z0 = normalQuantile((700 + 300 / 2) / 1000);
    const [low, high] = bcaLevels(sorted, 1.1, 0, [0.025, 0.975])!;
    expect(low).toBeCloseTo(normalCdf(2 * z0 + normalQuantile(0.025)), 12);
    expect(high).toBeCloseTo(normalCdf(2 * z0 + normalQuantile(0.975)), 12);
  });
});
