import type { Column } from '../data/table.ts';
import {
  benjaminiHochberg,
  binCounts,
  chiSquareHomogeneity,
  ks2samp,
  psiFromCounts,
  referenceEdges,
  standardDeviation,
  totalVariation,
  wasserstein,
} from '../stats/drift/index.ts';
import type { FeatureDrift } from './record.ts';

/** When a feature counts as drifted (`.modelgate.yml`'s `monitor:` section, per feature or for all). */
export interface DriftThresholds {
  /** The Benjamini–Hochberg level: the adjusted p-value must be under it. */
  readonly alpha: number;
  /** The smallest PSI that counts: a significant but tiny shift on a huge sample is no alarm. */
  readonly minEffect: number;
}

/** One column on both sides, already checked to be of one kind. */
export interface ColumnPair {
  readonly name: string;
  readonly reference: Column;
  readonly current: Column;
}

/** A distribution as shares per bin (numbers) or category (text), for the report's chart. */
export interface Distribution {
  readonly bins: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

export interface DriftAnalysis {
  readonly features: Record<string, FeatureDrift>;
  readonly distributions: Record<string, Distribution>;
  /** Whether any feature drifted. */
  readonly drifted: boolean;
}

/** At most this many categories are drawn; the test uses them all. */
const CHART_CATEGORIES = 12;

type Tested = Omit<FeatureDrift, 'p_adjusted' | 'drifted'> & { distribution: Distribution };

const shares = (counts: readonly number[]): number[] => {
  const total = counts.reduce((s, v) => s + v, 0);
  return counts.map((c) => c / total);
};

function testNumeric(reference: Float64Array, current: Float64Array): Tested {
  const sorted = Float64Array.from(reference).sort();
  const sortedCurrent = Float64Array.from(current).sort();
  const ks = ks2samp(sorted, sortedCurrent);
  const edges = referenceEdges(sorted);
  const refCounts = binCounts(edges, sorted);
  const curCounts = binCounts(edges, sortedCurrent);
  const std = standardDeviation(sorted);
  const distance = wasserstein(sorted, sortedCurrent);
  const label = (e: number) => String(Number(e.toPrecision(4)));
  const bins = edges.length === 0 ? ['all'] : [`≤ ${label(edges[0] as number)}`];
  for (let i = 1; i < edges.length; i++)
    bins.push(`${label(edges[i - 1] as number)} – ${label(edges[i] as number)}`);
  if (edges.length > 0) bins.push(`> ${label(edges[edges.length - 1] as number)}`);
  return {
    kind: 'numeric',
    test: 'ks',
    statistic: ks.statistic,
    p_value: ks.pValue,
    psi: psiFromCounts(refCounts, curCounts),
    // A constant reference has no spread to measure in: any move at all is infinitely many
    // standard deviations, which JSON cannot hold.
    wasserstein: std > 0 ? distance / std : distance === 0 ? 0 : null,
    distribution: { bins, reference: shares(refCounts), current: shares(curCounts) },
  };
}

function testCategorical(reference: readonly string[], current: readonly string[]): Tested {
  const refCounts = new Map<string, number>();
  const curCounts = new Map<string, number>();
  for (const v of reference) refCounts.set(v, (refCounts.get(v) ?? 0) + 1);
  for (const v of current) curCounts.set(v, (curCounts.get(v) ?? 0) + 1);
  // The reference's categories, most frequent first, then those new in the current data.
  const categories = [
    ...[...refCounts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c),
    ...[...curCounts.keys()].filter((c) => !refCounts.has(c)).sort(),
  ];
  const r = categories.map((c) => refCounts.get(c) ?? 0);
  const c = categories.map((k) => curCounts.get(k) ?? 0);
  const chi2 = chiSquareHomogeneity(r, c);
  const shown = categories.slice(0, CHART_CATEGORIES);
  return {
    kind: 'categorical',
    test: 'chi2',
    statistic: chi2.statistic,
    p_value: chi2.pValue,
    psi: psiFromCounts(r, c),
    wasserstein: totalVariation(r, c),
    distribution: {
      bins: shown,
      reference: shares(r).slice(0, shown.length),
      current: shares(c).slice(0, shown.length),
    },
  };
}

/**
 * Tests every column, adjusts the p-values together (Benjamini–Hochberg over all tested
 * features), and flags a feature as drifted when its adjusted p-value is under its alpha and its
 * PSI is at least its minimum effect.
 */
export function analyzeDrift(
  pairs: readonly ColumnPair[],
  thresholds: (name: string) => DriftThresholds,
): DriftAnalysis {
  const tested = pairs.map(({ reference, current }) =>
    reference.kind === 'number' && current.kind === 'number'
      ? testNumeric(reference.values, current.values)
      : testCategorical(stringsOf(reference), stringsOf(current)),
  );
  const adjusted = benjaminiHochberg(tested.map((t) => t.p_value));
  const features: Record<string, FeatureDrift> = {};
  const distributions: Record<string, Distribution> = {};
  pairs.forEach(({ name }, i) => {
    const { distribution, ...test } = tested[i] as Tested;
    const p_adjusted = adjusted[i] as number;
    const { alpha, minEffect } = thresholds(name);
    features[name] = {
      kind: test.kind,
      test: test.test,
      statistic: test.statistic,
      p_value: test.p_value,
      p_adjusted,
      psi: test.psi,
      wasserstein: test.wasserstein,
      drifted: p_adjusted < alpha && test.psi >= minEffect,
    };
    distributions[name] = distribution;
  });
  return { features, distributions, drifted: Object.values(features).some((f) => f.drifted) };
}

function stringsOf(column: Column): readonly string[] {
  return column.kind === 'string' ? column.values : Array.from(column.values, String);
}
