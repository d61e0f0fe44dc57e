import { describe, expect, it } from 'vitest';
import { artifactStoreFor } from './train-artifact.ts';

describe('artifactStoreFor', () => {
  it('skips, saying why, when not on a runner', async () => {
    expect(await artifactStoreFor({}).upload('x', [], '/')).toMatchObject({
      kind: 'skipped',
      reason: expect.stringContaining('not on a GitHub Actions runner'),
    });
  });
});
