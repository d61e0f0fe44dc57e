/**
 * Errors that a user can act on. Anything thrown that is not an {@link InputError} is a bug.
 *
 * The CLI turns an InputError into exit code 2 and one `modelgate: error: <message>` line
 * (plus an optional `hint:` line). The actions turn it into `core.setFailed(message)`.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** A short suggestion of the obvious fix, printed as `hint: …`. */
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

/** Marks every InputError, whichever copy of this module made it: Symbol.for gives one symbol per process. */
const BRAND = Symbol.for('modelgate.InputError');
Object.defineProperty(InputError.prototype, BRAND, { value: true });

/**
 * True for errors the user caused (bad input, bad usage), as opposed to bugs: an InputError of
 * any copy of this module. Each CLI command is a bundle of its own, with its own copy of the
 * class, and the router that reports its errors has another, so `instanceof` would not do there.
 */
export function isInputError(error: unknown): error is InputError {
  return error instanceof Error && (error as { [BRAND]?: boolean })[BRAND] === true;
}

/** Levenshtein distance, for "did you mean" hints on column, metric and flag names. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] as number;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] as number;
}

/** The closest candidate to `name`, when it is close enough to be a likely typo. */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
