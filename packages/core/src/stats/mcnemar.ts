/**
 * McNemar's exact test: do two models on the same rows differ in accuracy? Only the
 * discordant rows carry evidence (one model right, the other wrong); under "no difference"
 * each of them is equally likely to favour either model, so the count favouring the
 * candidate is Binomial(discordant, 1/2). Shown in the report as a cross-check of the
 * paired bootstrap of accuracy.
 */
import { InputError } from '../kernel/errors.ts';

export interface McNemarExact {
  /** Rows the candidate gets right and the baseline wrong. */
  candidateOnly: number;
  /** Rows the baseline gets right and the candidate wrong. */
  baselineOnly: number;
  /** Two-sided exact p-value: min(1, 2·P(X <= min(b, c))) for X ~ Binomial(b + c, 1/2), as scipy's `binomtest`. */
  pValue: number;
}

/**
 * McNemar's exact test from per-row correctness (1 = correct) of a candidate and a baseline
 * on the same rows.
 */
export function mcnemarExact(candidateCorrect: Uint8Array, baselineCorrect: Uint8Array): McNemarExact {
  if (candidateCorrect.length !== baselineCorrect.length) {
    throw new InputError(
      `McNemar's test needs both models on the same rows: the candidate has ${candidateCorrect.length} and the baseline ${baselineCorrect.length}`,
    );
  }
  let candidateOnly = 0;
  let baselineOnly = 0;
  for (let i = 0; i < candidateCorrect.length; i++) {
    const candidate = candidateCorrect[i] !== 0;
    const baseline = baselineCorrect[i] !== 0;
    if (candidate && !baseline) candidateOnly++;
    else if (baseline && !candidate) baselineOnly++;
  }
  const discordant = candidateOnly + baselineOnly;
  const smaller = Math.min(candidateOnly, baselineOnly);
  return { candidateOnly, baselineOnly, pValue: Math.min(1, 2 * binomialHalfCdf(smaller, discordant)) };
}

/** P(X <= k) for X ~ Binomial(n, 1/2) and k <= n/2, summed down from k where the terms are largest. */
export function binomialHalfCdf(k: number, n: number): number {
  if (n === 0) return 1;
  let term = binomialHalfPmf(k, n);
  let sum = term;
  for (let i = k; i > 0 && term > sum * 1e-17; i--) {
    term *= i / (n - i + 1); // pmf(i − 1) / pmf(i)
    sum += term;
  }
  return sum;
}

/**
 * P(X = k) for X ~ Binomial(n, 1/2), accurate to about 1e-15 relative even for large n:
 * Loader's saddle-point form (C. Loader, Fast and accurate computation of binomial
 * probabilities, 2000; R's dbinom_raw), which avoids the cancellation of log-gamma
 * differences.
 */
export function binomialHalfPmf(k: number, n: number): number {
  if (k === 0 || k === n) return 2 ** -n;
  const mean = n / 2;
  const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, mean) - bd0(n - k, mean);
  const lf = Math.log(2 * Math.PI) + Math.log(k) + Math.log1p(-k / n);
  return Math.exp(lc - 0.5 * lf);
}

/** log(n!) − log(√(2πn)·(n/e)ⁿ) for n = 0…15 (R's sferr_halves at whole n). */
const STIRLERR = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093, 0.016644691189821193,
  0.013876128823070748, 0.01189670994589177, 0.010411265261972096, 0.009255462182712733, 0.00833056343336287,
  0.007573675487951841, 0.00694284010720953, 0.006408994188004207, 0.0059513701127588475,
  0.005554733551962801,
];

/** The error of Stirling's approximation to log(n!), for whole n. */
function stirlerr(n: number): number {
  if (n < STIRLERR.length) return STIRLERR[n]!;
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** x·log(x/np) + np − x, computed without cancellation when x is near np. */
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / np) + np - x;
}
