import { describe, expect, it } from 'vitest';
import { cliOption } from '../kernel/options.ts';
import { DEFAULT_CANARY_STEPS, parseCanarySteps } from './canary.ts';

describe('canary steps', () => {
  it('default to 10, 50, 100', () => {
    expect(parseCanarySteps(undefined, cliOption)).toEqual([10, 50, 100]);
    expect(DEFAULT_CANARY_STEPS).toEqual([10, 50, 100]);
  });

  it('read whole percents, with or without a % sign, and always end with the promotion at 100', () => {
    expect(parseCanarySteps('5, 25%,100', cliOption)).toEqual([5, 25, 100]);
    expect(parseCanarySteps('10,50', cliOption)).toEqual([10, 50, 100]);
    expect(parseCanarySteps([20], cliOption)).toEqual([20, 100]);
  });

  it('refuse a step that is not a whole percent from 1 to 100, naming it', () => {
    expect(() => parseCanarySteps('10,0.5,100', cliOption)).toThrow(
      "--canary-percent '10,0.5,100' is not valid: '0.5' is not a whole percent from 1 to 100",
    );
    expect(() => parseCanarySteps('0,100', cliOption)).toThrow(/'0' is not a whole percent/);
    expect(() => parseCanarySteps('10,,100', cliOption)).toThrow(/'' is not a whole percent/);
  });

  it('refuse steps that do not rise', () => {
    expect(() => parseCanarySteps('50,10,100', cliOption)).toThrow(
      /each step must take more traffic than the last/,
    );
  });
});
