// What the coverage study's main process and its workers send each other.

/** Either the population's value on a large sample, or a run of draws to score. */
export type Job =
  | { kind: 'truth'; id: number; population: number; rows: number }
  | {
      kind: 'draws';
      id: number;
      population: number;
      rows: number;
      /** Draws first, first + 1, …, first + count − 1. */
      first: number;
      count: number;
      resamples: number;
      /** 'ties-half': modelgate's intervals; 'strict': z₀ without ties, for comparison. */
      z0: 'ties-half' | 'strict';
      truth: Record<string, number>;
    };

/** How a metric's intervals fared over some draws. */
export interface Tally {
  /** The interval held the population's value. */
  covered: number;
  /** The whole interval lay below it, or above it. */
  below: number;
  above: number;
  /** No interval (the metric undefined on the draw, or on most resamples). */
  none: number;
  /** The sum of the intervals' widths. */
  width: number;
}

export type Reply =
  | { kind: 'truth'; id: number; values: Record<string, number> }
  | { kind: 'tally'; id: number; tallies: Record<string, Tally> };
