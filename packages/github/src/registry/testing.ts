/**
 * Test support for the registry: a GitHub client for the emulator, and realistic records.
 * Not exported from the package.
 */
import type { EvaluationRecord, Logger, Verdict } from '@modelgate/core';
import { type GitHubClient, ModelgateOctokit } from '../octokit.ts';

// createGitHubClient's list (not exported): 409 is retried by the plugin, which is why the
// registry's compare-and-swap writes switch the plugin's retries off.
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
let clients = 0;

/**
 * The client createGitHubClient builds (`@octokit/rest`'s, with retries and throttling), with
 * waits scaled to milliseconds and one difference: plugin-throttling spaces one client's writes 1 s apart, and
 * writes that notify people (creating a release) 3 s apart, for GitHub's secondary limits; that
 * would make each register here take 6 s. Those two limiters run each request at once instead.
 */
export function testClient(options: {
  token: string;
  baseUrl: string;
  logger?: Logger;
  retries?: number;
}): GitHubClient {
  const logger = options.logger ?? quietLogger;
  const immediately = { schedule: (_options: unknown, job: () => Promise<unknown>) => job() };
  return new ModelgateOctokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    log: { debug() {}, info() {}, warn: logger.warning, error() {} },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: 1, doNotRetry: DO_NOT_RETRY },
    throttle: {
      id: `modelgate-registry-test-${++clients}`,
      retryAfterBaseValue: 1,
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
      // Duck-typed: the plugin only calls limiter.key(id).schedule(options, job).
      write: { key: () => immediately } as never,
      notifications: { key: () => immediately } as never,
    },
  });
}

export const quietLogger: Logger = { info() {}, warning() {} };

/** An evaluation record of the model with this digest, as `modelgate evaluate` writes one. */
export function evaluationOf(modelSha256: string, accuracy = 0.95): EvaluationRecord {
  return {
    schema: 'modelgate/evaluation@1',
    task: 'binary',
    model: {
      path: 'model.onnx',
      sha256: modelSha256,
      bytes: 381,
      output: 'probabilities',
      transform: 'none',
      inputs: [{ name: 'input', type: 'float32', shape: ['N', 30] }],
      outputs: [{ name: 'probabilities', type: 'float32', shape: ['N', 2] }],
    },
    data: { path: 'data/eval.csv', sha256: 'd'.repeat(64), rows: 200, label: 'target', classes: ['0', '1'] },
    metrics: {
      accuracy: { value: accuracy, ci: [accuracy - 0.02, accuracy + 0.02] },
      roc_auc: { value: 0.99 },
    },
    confusion_matrix: {
      labels: ['0', '1'],
      matrix: [
        [72, 3],
        [1, 124],
      ],
    },
    slices: [],
    bootstrap: { resamples: 1000, confidence: 0.95, seed: 42 },
    provider: 'cpu',
    notes: [],
    created_at: '2026-01-05T09:00:00Z',
    tool: { name: 'modelgate', version: '0.1.0' },
  };
}

/** A verdict on the model with this digest against a baseline (a registry alias), or none. */
export function verdictOf(
  candidateSha256: string,
  passed: boolean,
  baseline: { sha256: string; ref: string } | null = null,
): Verdict {
  return {
    schema: 'modelgate/verdict@1',
    passed,
    paired: baseline !== null,
    candidate: { sha256: candidateSha256 },
    baseline,
    rules: [
      {
        metric: 'accuracy',
        rule: 'max_drop',
        threshold: 0.01,
        threshold_text: '0.01',
        candidate: passed ? 0.95 : 0.9,
        baseline: 0.94,
        delta: passed ? 0.01 : -0.04,
        status: passed ? 'pass' : 'fail',
        reason: passed ? 'rose 0.010' : 'dropped 0.040 > 0.01 allowed',
      },
    ],
    notes: [],
    created_at: '2026-01-05T09:00:00Z',
    tool: { name: 'modelgate', version: '0.1.0' },
  };
}
