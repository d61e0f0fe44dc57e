// The limit modelgate's evaluate is measured against: onnxruntime-node alone, over features
// already decoded to a Float32Array (no parsing, no metrics), with the same session options.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';

const [modelPath, featuresPath, featureCount, batchSize = '8192'] = process.argv.slice(2);
const bytes = readFileSync(featuresPath);
const features = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
const width = Number(featureCount);
const rows = features.length / width;
const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'],
  intraOpNumThreads: availableParallelism(),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const [input] = session.inputNames;
const [output] = session.outputNames;
let checksum = 0;
for (let start = 0; start < rows; start += Number(batchSize)) {
  const end = Math.min(rows, start + Number(batchSize));
  const tensor = new ort.Tensor('float32', features.subarray(start * width, end * width), [
    end - start,
    width,
  ]);
  const result = await session.run({ [input]: tensor }, [output]);
  checksum += result[output].data[1];
}
process.stdout.write(`${JSON.stringify({ rows, checksum })}\n`);
