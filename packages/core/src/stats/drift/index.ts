/**
 * Drift statistics: the two-sample tests (Kolmogorov–Smirnov for numbers, chi-square for
 * categories) equal to scipy's defaults, Benjamini–Hochberg across features, and the effect
 * sizes (PSI, Wasserstein) that say how far a distribution moved.
 */
export { benjaminiHochberg } from './bh.ts';
export { type ChiSquareResult, chiSquareHomogeneity, chiSquareSf } from './chi2.ts';
export {
  binCounts,
  PSI_BINS,
  PSI_EPSILON,
  psiFromCounts,
  psiNumeric,
  referenceEdges,
  standardDeviation,
  totalVariation,
  wasserstein,
} from './effect.ts';
export { kolmogorovN, smirnov } from './kolmogorov.ts';
export { KS_EXACT_MAX_N, type KsResult, ks2samp } from './ks.ts';
