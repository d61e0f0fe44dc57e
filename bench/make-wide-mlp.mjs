// The wide MLP of make_wide_mlp.py, written with onnx-proto where Debian's python3 + onnx are
// missing: the same graph and shapes, seeded random weights of the same scale (other values, the
// same cost). Usage: node bench/make-wide-mlp.mjs OUT.onnx
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { onnx } = createRequire(import.meta.url)('onnx-proto');
const WIDTH = 1024;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

// mulberry32: a small seeded generator, so that every run writes the same model.
let seed = 2024;
const uniform = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
// Box–Muller: standard normal values, scaled by 1/sqrt(fan-in) as the Python script does.
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

const initializer = [];
const dense = (name, nIn, nOut) => {
  const weights = new Float32Array(nIn * nOut).map(() => normal() / Math.sqrt(nIn));
  initializer.push(
    { name: `${name}_w`, dataType: FLOAT, dims: [nIn, nOut], rawData: new Uint8Array(weights.buffer) },
    { name: `${name}_b`, dataType: FLOAT, dims: [nOut], rawData: new Uint8Array(nOut * 4) },
  );
};
dense('l1', 32, WIDTH);
dense('l2', WIDTH, WIDTH);
dense('l3', WIDTH, 2);
const node = (opType, input, output, attribute = []) => ({ opType, input, output: [output], attribute });
const tensorType = (dims) => ({
  tensorType: {
    elemType: FLOAT,
    shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
  },
});
const model = {
  irVersion: 8,
  opsetImport: [{ domain: '', version: 13 }],
  producerName: 'modelgate-bench',
  graph: {
    name: 'mlp_wide',
    node: [
      node('MatMul', ['input', 'l1_w'], 'h1m'),
      node('Add', ['h1m', 'l1_b'], 'h1a'),
      node('Relu', ['h1a'], 'h1'),
      node('MatMul', ['h1', 'l2_w'], 'h2m'),
      node('Add', ['h2m', 'l2_b'], 'h2a'),
      node('Relu', ['h2a'], 'h2'),
      node('MatMul', ['h2', 'l3_w'], 'logits_m'),
      node('Add', ['logits_m', 'l3_b'], 'logits'),
      node('Softmax', ['logits'], 'probabilities', [
        { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
      ]),
    ],
    initializer,
    input: [{ name: 'input', type: tensorType(['N', 32]) }],
    output: [{ name: 'probabilities', type: tensorType(['N', 2]) }],
  },
};
const problem = onnx.ModelProto.verify(model);
if (problem) throw new Error(`the ONNX model is malformed: ${problem}`);
writeFileSync(process.argv[2], onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish());
