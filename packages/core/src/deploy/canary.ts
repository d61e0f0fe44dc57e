import { InputError } from '../kernel/errors.ts';
import type { OptionNamer } from '../kernel/options.ts';

/** The traffic steps of a canary when none are given: a tenth, half, then all of it. */
export const DEFAULT_CANARY_STEPS: readonly number[] = [10, 50, 100];

/**
 * Parses canary traffic steps (`10,50,100`): whole percents from 1 to 100, strictly rising. The
 * last step is always 100, the promotion; it is added when the list stops short of it, because
 * a canary that never takes all the traffic is not a deploy.
 */
export function parseCanarySteps(
  value: string | readonly number[] | undefined,
  namer: OptionNamer,
  name = 'canary-percent',
): number[] {
  if (value === undefined || (typeof value === 'string' && value.trim() === ''))
    return [...DEFAULT_CANARY_STEPS];
  const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value.map(String);
  const shown = typeof value === 'string' ? value : value.join(',');
  const steps = items.map((item) => {
    const n = Number(item.replace(/%$/, ''));
    if (item === '' || !Number.isInteger(n) || n < 1 || n > 100) {
      throw new InputError(
        `${namer(name)} '${shown}' is not valid: '${item}' is not a whole percent from 1 to 100`,
        { hint: 'for example 10,50,100' },
      );
    }
    return n;
  });
  for (let i = 1; i < steps.length; i++) {
    if ((steps[i] as number) <= (steps[i - 1] as number)) {
      throw new InputError(
        `${namer(name)} '${shown}' is not valid: each step must take more traffic than the last`,
        {
          hint: 'for example 10,50,100',
        },
      );
    }
  }
  if (steps.at(-1) !== 100) steps.push(100);
  return steps;
}
