/**
 * Benjamini–Hochberg adjusted p-values, equal to
 * `scipy.stats.false_discovery_control(p, method='bh')`: p₍ᵢ₎·m/i made monotone from the largest
 * down, capped at 1, in the order given. Rejecting every adjusted p-value under α keeps the
 * expected share of false alarms among the alarms at most α.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const adjusted = new Array<number>(m).fill(0);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1] as number;
    running = Math.min(running, ((pValues[index] as number) * m) / rank);
    adjusted[index] = running;
  }
  return adjusted;
}
