/**
 * Seeded random streams for the code outside the hot loops (the confusion-table draws, the
 * tests): a thin object over hot.ts's xoshiro128**, so there is one generator in the code.
 *
 * Every resample gets its own stream, derived from (seed, purpose, resample index), so a
 * resample's draws do not depend on how the resamples are batched or spread over threads,
 * and the same seed gives the identical record.
 */
import { hot, STREAM_CELLS, STREAM_ROWS } from './hot.ts';

/** What a stream is for: separate purposes never share random numbers. */
export const StreamPurpose = {
  /** Multinomial cell counts of a confusion table. */
  Cells: STREAM_CELLS,
  /** Poisson(1) weights of individual rows. */
  Rows: STREAM_ROWS,
  /** Synthetic data for tests and benchmarks (testing-utils.ts). */
  Synthetic: 3,
} as const;
export type StreamPurpose = (typeof StreamPurpose)[keyof typeof StreamPurpose];

/** A xoshiro128** stream. */
export class Xoshiro128 {
  /** The generator's four int32 words. */
  readonly state = new Int32Array(4);

  private constructor() {}

  /** The stream of resample `index` for `purpose` under `seed` (its integer part, all 53 bits). */
  static stream(seed: number, purpose: StreamPurpose, index: number): Xoshiro128 {
    const rng = new Xoshiro128();
    hot.seedStream(seed, purpose, index, rng.state);
    return rng;
  }

  /** The next 32 random bits, as a signed int32. */
  nextInt32(): number {
    return hot.nextInt32(this.state);
  }

  /** A uniform double in the open interval (0, 1), with 53 random bits. */
  nextOpenDouble(): number {
    return hot.nextOpenDouble(this.state);
  }
}

/** Fills `out` with independent Poisson(1) draws from `rng`'s stream. */
export function fillPoisson1(rng: Xoshiro128, out: Uint8Array): void {
  hot.fillPoisson1(rng.state, out);
}
