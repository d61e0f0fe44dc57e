import { describe, expect, it } from 'vitest';
import { InputError, isInputError } from './errors.ts';

describe('isInputError', () => {
  it('knows an InputError, and only an InputError', () => {
    expect(isInputError(new InputError('bad flag'))).toBe(true);
    expect(isInputError(new Error('a bug'))).toBe(false);
    expect(isInputError(new TypeError('a bug'))).toBe(false);
    expect(isInputError({ name: 'InputError', message: 'not an error object' })).toBe(false);
    expect(isInputError(undefined)).toBe(false);
  });

  it('knows an InputError made by another copy of the module (another CLI bundle)', () => {
    // What a second copy of errors.ts defines: its own class, marked with the same symbol.
    class OtherCopy extends Error {}
    Object.defineProperty(OtherCopy.prototype, Symbol.for('modelgate.InputError'), { value: true });
    const foreign = new OtherCopy('column y not found');
    expect(foreign instanceof InputError).toBe(false);
    expect(isInputError(foreign)).toBe(true);
  });
});
