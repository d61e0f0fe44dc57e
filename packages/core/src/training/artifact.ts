import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Logger } from '../kernel/ports.ts';
import type { TrainOutcome } from './train.ts';

export type ArtifactUpload =
  | { kind: 'uploaded'; name: string; id?: number; size?: number }
  | { kind: 'skipped'; reason: string };

/**
 * Where the trained model goes to outlive the job: the run's artifacts on a runner (packages/github
 * implements it), nowhere locally.
 */
export interface ArtifactStore {
  upload(name: string, files: string[], rootDirectory: string): Promise<ArtifactUpload>;
}

/** `modelgate-model-<first 12 of sha256>`: unique per model within a run, and it names the digest. */
export function artifactName(sha256: string): string {
  return `modelgate-model-${sha256.slice(0, 12)}`;
}

/**
 * Uploads the model, modelgate-train.json, the command's metrics file and a SHA256SUMS file
 * (`sha256sum -c SHA256SUMS` checks a download). They are copied into one folder first because
 * an artifact's files must share a root. An upload that fails is a warning: the model is on
 * disk and the step's outputs stand.
 */
export async function uploadTrainingArtifact(
  outcome: Extract<TrainOutcome, { kind: 'trained' }>,
  store: ArtifactStore,
  logger: Logger,
  tempRoot = tmpdir(),
): Promise<ArtifactUpload> {
  const staging = await mkdtemp(join(tempRoot, 'modelgate-artifact-'));
  try {
    const model = basename(outcome.modelPath);
    const files = [join(staging, model), join(staging, basename(outcome.recordPath))];
    await copyFile(resolve(outcome.modelPath), join(staging, model));
    await copyFile(resolve(outcome.recordPath), join(staging, basename(outcome.recordPath)));
    if (outcome.metricsPath !== undefined) {
      const metrics = `metrics-${basename(outcome.metricsPath)}`;
      await copyFile(resolve(outcome.metricsPath), join(staging, metrics));
      files.push(join(staging, metrics));
    }
    await writeFile(join(staging, 'SHA256SUMS'), `${outcome.record.model.sha256}  ${model}\n`);
    files.push(join(staging, 'SHA256SUMS'));
    const name = artifactName(outcome.record.model.sha256);
    let upload: ArtifactUpload;
    try {
      upload = await store.upload(name, files, staging);
    } catch (error) {
      upload = { kind: 'skipped', reason: `the upload failed: ${(error as Error).message}` };
      logger.warning(`artifact ${name}: ${upload.reason}`);
      return upload;
    }
    logger.info(
      upload.kind === 'uploaded'
        ? `artifact ${name}: uploaded ${files.map((f) => basename(f)).join(', ')} (model sha256 ${outcome.record.model.sha256})`
        : `artifact: not uploaded: ${upload.reason}`,
    );
    return upload;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
