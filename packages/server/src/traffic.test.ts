import { describe, expect, it } from 'vitest';
import { TrafficSplit } from './traffic.ts';

function canaryShare(percent: number, requests: number): number {
  const split = new TrafficSplit(percent);
  let canary = 0;
  for (let i = 0; i < requests; i++) if (split.next()) canary++;
  return canary;
}

describe('the canary traffic split', () => {
  it('sends exactly the percent asked for over whole hundreds of requests', () => {
    for (const percent of [0, 1, 5, 20, 33, 50, 99, 100])
      expect(canaryShare(percent, 1000)).toBe(percent * 10);
  });

  it('spreads canary requests evenly, so every window is within one request of the share', () => {
    const split = new TrafficSplit(20);
    const picks = Array.from({ length: 1000 }, () => split.next());
    for (let start = 0; start + 50 <= picks.length; start += 7) {
      const inWindow = picks.slice(start, start + 50).filter(Boolean).length;
      expect(Math.abs(inWindow - 10)).toBeLessThanOrEqual(1);
    }
  });

  it('takes fractional percents', () => {
    expect(canaryShare(12.5, 800)).toBe(100);
  });

  it('refuses a percent outside 0–100', () => {
    expect(() => new TrafficSplit(101)).toThrow(/not within 0–100/);
    expect(() => new TrafficSplit(Number.NaN)).toThrow(/not within 0–100/);
  });
});
