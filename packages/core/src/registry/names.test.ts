import { describe, expect, it } from 'vitest';
import { inputErrorMessage } from '../kernel/testing.ts';
import {
  closestName,
  describeVersions,
  parseNameAtRef,
  parseRef,
  unknownAlias,
  unknownModel,
  unknownVersion,
  validateAlias,
  validateModelName,
} from './names.ts';

describe('refs', () => {
  it('reads latest, version numbers (3 or v3) and alias names', () => {
    expect(parseRef('latest')).toEqual({ kind: 'latest' });
    expect(parseRef('3')).toEqual({ kind: 'version', version: 3 });
    expect(parseRef('v12')).toEqual({ kind: 'version', version: 12 });
    expect(parseRef('production')).toEqual({ kind: 'alias', alias: 'production' });
    expect(parseRef('pre-prod_2')).toEqual({ kind: 'alias', alias: 'pre-prod_2' });
  });

  it('refuses version 0 and anything that is neither a number nor an alias name', () => {
    expect(inputErrorMessage(() => parseRef('0'))).toBe("version '0' is not valid: versions start at 1");
    expect(inputErrorMessage(() => parseRef('Prod'))).toBe(
      "'Prod' is not a version ref: give a version number, an alias name or 'latest'",
    );
    expect(inputErrorMessage(() => parseRef(''))).toMatch(/is not a version ref/);
  });

  it('splits NAME@REF, with latest when the ref is left out', () => {
    expect(parseNameAtRef('churn@production')).toEqual({ name: 'churn', ref: 'production' });
    expect(parseNameAtRef('churn')).toEqual({ name: 'churn', ref: 'latest' });
    expect(inputErrorMessage(() => parseNameAtRef('churn@'))).toMatch(/has nothing after '@'/);
    expect(inputErrorMessage(() => parseNameAtRef('../x@1'))).toMatch(/model name '\.\.\/x' is not valid/);
  });
});

describe('names', () => {
  it('keeps model names to characters that are safe as a folder and in a tag', () => {
    for (const name of ['churn', 'breast-cancer', 'Model_2.1']) expect(validateModelName(name)).toBe(name);
    for (const name of ['', '.', '..', '../x', 'a/b', '-x', 'a b', 'x'.repeat(101)]) {
      expect(inputErrorMessage(() => validateModelName(name))).toMatch(/is not valid: use letters, digits/);
    }
  });

  it('keeps aliases lowercase, and away from latest and version-like names', () => {
    expect(validateAlias('production')).toBe('production');
    expect(inputErrorMessage(() => validateAlias('latest'))).toBe(
      "'latest' cannot be an alias: it always means the highest version",
    );
    for (const alias of ['Production', 'v2', '2', '-x', 'a.b', 'x'.repeat(64)]) {
      expect(inputErrorMessage(() => validateAlias(alias))).toMatch(/is not valid: use lowercase letters/);
    }
  });
});

describe('lookup errors', () => {
  it('list the versions that exist, with gaps an interrupted register left', () => {
    expect(describeVersions([1, 2, 3, 5, 7, 8])).toBe('1–3, 5, 7–8');
    expect(unknownVersion('churn', 9, [1, 2, 3]).message).toBe(
      "model 'churn' has no version 9: it has versions 1–3",
    );
    expect(unknownVersion('churn', 1, []).message).toBe(
      "model 'churn' has no version 1: it has no versions yet",
    );
    const many = Array.from({ length: 20 }, (_, i) => i * 2 + 1);
    expect(describeVersions(many)).toBe('1, 3, 5, …, 35, 37, 39');
  });

  it('list the aliases that exist and suggest a near miss', () => {
    const error = unknownAlias('churn', 'prodution', { production: 3, staging: 4 });
    expect(error.message).toBe(
      "model 'churn' has no alias 'prodution' (aliases: production → v3, staging → v4)",
    );
    expect(error.hint).toBe("did you mean 'production'?");
    expect(error.suggestion).toBe('production');
    expect(unknownAlias('churn', 'champion', {}).suggestion).toBeUndefined();
    expect(unknownAlias('churn', 'champion', { production: 3 }).existing).toEqual(['production']);
  });

  it('suggest the one name that starts with what was typed, when edit distance is too far', () => {
    expect(closestName('prod', ['production', 'staging'])).toBe('production');
    // Two names start with it, or one letter is too little to go on: no guess.
    expect(closestName('prod', ['production', 'prod-eu'])).toBeUndefined();
    expect(closestName('s', ['staging'])).toBeUndefined();
    expect(unknownModel('fs:r', 'cancr', ['cancer', 'fraud']).hint).toBe("did you mean 'cancer'?");
  });
});
