import type { ModelHost, ModelSlot } from './host.ts';
import { HttpError } from './http.ts';
import { NO_VERSION, type ServerMetrics } from './metrics.ts';
import type { VersionRunner } from './runner.ts';
import { oipDatatype, oipShape } from './tensors.ts';

/**
 * What both wires (HTTP and gRPC) say alike about a model: which version a request pins, and
 * the OIP model metadata.
 */

/** A version number as a request names it, `3` or `v3`; `field` prefixes the refusal. */
export function parseVersion(text: string, field = ''): number {
  const version = /^v?(\d{1,9})$/.exec(text)?.[1];
  if (version === undefined || Number(version) < 1) {
    throw new HttpError(400, `${field}'${text}' is not a version number`);
  }
  return Number(version);
}

/** The pinned version, which must take traffic (primary or canary); 404 naming those that do. */
export function pinnedRunner(slot: ModelSlot, version: number): VersionRunner {
  const runner = slot.pinned(version);
  if (runner === undefined) {
    throw new HttpError(
      404,
      `model '${slot.name}' has no version ${version} taking traffic (${slot.serving()})`,
    );
  }
  return runner;
}

/** The OIP v2 model metadata fields of a version. */
export function modelMetadata(slot: ModelSlot, runner: VersionRunner) {
  const describe = (values: typeof runner.model.inputs) =>
    values.map((v) => ({ name: v.name, datatype: oipDatatype(v.type), shape: oipShape(v.shape) }));
  return {
    name: slot.name,
    versions: [String(runner.version)],
    platform: 'onnxruntime_onnx',
    inputs: describe(runner.model.inputs),
    outputs: describe(runner.model.outputs),
  };
}

/**
 * Counts an infer request or call in the metrics, with the HTTP status of its outcome. A name no
 * version answered for is `unknown` unless the model is loaded, so a scan of random names cannot
 * grow the metrics without bound.
 */
export function countInfer(
  metrics: ServerMetrics,
  host: ModelHost,
  name: string,
  runner: VersionRunner | undefined,
  status: number,
  started: number,
): void {
  const known = runner !== undefined || host.slot(name) !== undefined;
  metrics.infer(
    known ? name : 'unknown',
    runner === undefined ? NO_VERSION : runner.versionLabel,
    status,
    (performance.now() - started) / 1000,
  );
}
