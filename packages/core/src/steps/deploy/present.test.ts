import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../registry/types.ts';
import { presentDeploy } from './present.ts';

const version = { name: 'churn_eu', version: 7, sha256: 'ab'.repeat(32) } as ModelVersion;

describe('the deploy presentation', () => {
  it('says a deploy on the terminal, in the summary and in the outputs alike', () => {
    const shown = presentDeploy({
      kind: 'deployed',
      version,
      url: 'http://127.0.0.1:8080/v2/models/churn_eu',
      alias: 'production',
      previous: 6,
      steps: [
        { action: 'smoke', detail: '16 rows through grpc://127.0.0.1:8081 ModelInfer churn_eu v7 agree' },
      ],
      deploymentId: '42',
      environment: 'production',
    });
    expect(shown.lines.map((line) => `${line.stream} ${line.text}`)).toEqual([
      'out   smoke: 16 rows through grpc://127.0.0.1:8081 ModelInfer churn_eu v7 agree',
      "out   alias 'production' → v7 (was v6)",
      'out deployed churn_eu v7 (sha256 abababababab) at http://127.0.0.1:8080/v2/models/churn_eu',
    ]);
    expect(shown.exitCode).toBe(0);
    expect(shown.outputs).toEqual({
      deployed: 'true',
      version: '7',
      'deployment-id': '42',
      url: 'http://127.0.0.1:8080/v2/models/churn_eu',
      manifest: '',
    });
    // The model name is text, not emphasis, in the summary.
    expect(shown.summary?.split('\n')[0]).toBe(
      '### ✅ modelgate deploy (production): deployed churn\\_eu v7 (sha256 abababababab) at http://127.0.0.1:8080/v2/models/churn\\_eu',
    );
  });

  it('fails with the headline when refused, on stderr as the CLI’s one line', () => {
    const shown = presentDeploy({
      kind: 'refused',
      version,
      reasons: ['the verdict of churn_eu v7 did not pass'],
      environment: 'staging',
    });
    expect(shown.exitCode).toBe(1);
    expect(shown.failure).toBe('refused: the verdict of churn_eu v7 did not pass');
    expect(shown.lines.at(-1)).toEqual({ stream: 'err', text: `modelgate: ${shown.failure}` });
    expect(shown.outputs).toMatchObject({ deployed: 'false', version: '7', 'deployment-id': '', url: '' });
    expect(shown.summary).toMatch(/^### ⛔ modelgate deploy \(staging\): refused: /);
  });

  it('is no failure when only a manifest was written, and names it', () => {
    const shown = presentDeploy({
      kind: 'rendered',
      version,
      artifact: 'isvc.yaml',
      reason: 'NOTHING WAS APPLIED',
      environment: 'production',
    });
    expect(shown.exitCode).toBe(0);
    expect(shown.outputs).toMatchObject({ deployed: 'false', manifest: 'isvc.yaml' });
    expect(shown.lines).toEqual([
      { stream: 'out', text: 'rendered churn_eu v7, not deployed: NOTHING WAS APPLIED' },
    ]);
  });
});
