import { describe, expect, it } from 'vitest';
import { worseThanChance } from './chance.ts';

/** `rows` rows: labels alternate 0, 1; predictions right on the share `right` of them. */
function binary(rows: number, right: number) {
  const labels = Int32Array.from({ length: rows }, (_, i) => i % 2);
  const predicted = labels.map((label, i) => (i < right * rows ? label : 1 - label));
  return { labels, predicted, numClasses: 2 };
}

describe('scores worse than chance', () => {
  it('flags accuracy far below what independent guessing gets (classes read the wrong way round)', () => {
    expect(worseThanChance(binary(200, 0.025), {})).toBe(
      'accuracy 0.025 where guessing with the same class frequencies gets 0.5',
    );
  });

  it('leaves a weak but honest model alone, and one a little under chance', () => {
    expect(worseThanChance(binary(200, 0.55), {})).toBeUndefined();
    // kappa -0.1: within what noise and a poor model give.
    expect(worseThanChance(binary(200, 0.45), {})).toBeUndefined();
  });

  it('flags ROC AUC whose interval lies under 0.5, or under 0.3 with no interval', () => {
    const honest = binary(200, 0.8);
    expect(worseThanChance(honest, { roc_auc: { value: 0.4, ci: [0.3, 0.49] } })).toBe(
      "ROC AUC 0.4, its interval up to 0.49, under chance's 0.5",
    );
    expect(worseThanChance(honest, { roc_auc: { value: 0.4, ci: [0.3, 0.51] } })).toBeUndefined();
    expect(worseThanChance(honest, { roc_auc: { value: 0.35 } })).toBeUndefined();
    expect(worseThanChance(honest, { roc_auc: { value: 0.005 } })).toBe("ROC AUC 0.005 under chance's 0.5");
  });

  it('gives both reasons when both hold', () => {
    expect(worseThanChance(binary(40, 0), { roc_auc: { value: 0.01, ci: [0, 0.02] } })).toBe(
      "accuracy 0 where guessing with the same class frequencies gets 0.5; ROC AUC 0.01, its interval up to 0.02, under chance's 0.5",
    );
  });
});
