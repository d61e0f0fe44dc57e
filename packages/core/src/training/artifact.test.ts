import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ArtifactStore, uploadTrainingArtifact } from './artifact.ts';
import type { TrainOutcome } from './train.ts';

const SHA = 'ab'.repeat(32);

async function trainedOutcome(): Promise<Extract<TrainOutcome, { kind: 'trained' }>> {
  const dir = await mkdtemp(join(tmpdir(), 'modelgate-artifact-test-'));
  writeFileSync(join(dir, 'model.onnx'), 'onnx bytes');
  writeFileSync(join(dir, 'modelgate-train.json'), '{"schema":"modelgate/train@1"}');
  writeFileSync(join(dir, 'metrics.json'), '{"loss":0.1}');
  return {
    kind: 'trained',
    modelPath: join(dir, 'model.onnx'),
    recordPath: join(dir, 'modelgate-train.json'),
    metricsPath: join(dir, 'metrics.json'),
    record: { model: { path: 'model.onnx', sha256: SHA, bytes: 10 } } as never,
  };
}

const logger = {
  lines: [] as string[],
  info(m: string) {
    this.lines.push(m);
  },
  warning(m: string) {
    this.lines.push(`warning: ${m}`);
  },
};

describe('uploadTrainingArtifact', () => {
  it('uploads the model, the training record, the metrics and a SHA256SUMS file under a name with the digest', async () => {
    let seen: { name: string; files: Record<string, string> } | undefined;
    const store: ArtifactStore = {
      async upload(name, files, root) {
        expect(files.every((f) => f.startsWith(root))).toBe(true);
        seen = {
          name,
          files: Object.fromEntries(files.map((f) => [f.slice(root.length + 1), readFileSync(f, 'utf8')])),
        };
        return { kind: 'uploaded', name, id: 1 };
      },
    };
    const upload = await uploadTrainingArtifact(await trainedOutcome(), store, logger);
    expect(upload).toEqual({ kind: 'uploaded', name: `modelgate-model-${SHA.slice(0, 12)}`, id: 1 });
    expect(seen?.files).toEqual({
      'model.onnx': 'onnx bytes',
      'modelgate-train.json': '{"schema":"modelgate/train@1"}',
      'metrics-metrics.json': '{"loss":0.1}',
      SHA256SUMS: `${SHA}  model.onnx\n`,
    });
  });

  it('turns a failed upload into a warning and cleans up its staging folder', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'modelgate-artifact-root-'));
    const store: ArtifactStore = {
      upload: async () => {
        throw new Error('artifact with this name already exists');
      },
    };
    const upload = await uploadTrainingArtifact(await trainedOutcome(), store, logger, temp);
    expect(upload).toEqual({
      kind: 'skipped',
      reason: 'the upload failed: artifact with this name already exists',
    });
    expect(logger.lines.at(-1)).toMatch(/^warning: artifact modelgate-model-abababababab: the upload failed/);
    expect(await readdir(temp)).toEqual([]);
  });
});
