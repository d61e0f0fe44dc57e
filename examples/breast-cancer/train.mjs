#!/usr/bin/env node
// Trains the example's classifier on data/train.csv and writes it as ONNX, with plain Node: no
// Python, no GPU, no ML framework. `modelgate train` (and the train action) run it the way they
// run any training command:
//
//   modelgate train --command "node train.mjs" --out model.onnx --params '{"model": "mlp", "epochs": 200}'
//
// It reads its params from MODELGATE_PARAMS_FILE (a JSON file), else from MODELGATE_PARAM_<NAME>
// variables, and writes the model to MODELGATE_MODEL_PATH (default ./model.onnx), with its
// training metrics in train-metrics.json beside it. Run alone, `node train.mjs` trains with the
// defaults below.
//
// The same params and data give the same bytes (and so the same sha256): every random choice
// comes from one seeded generator, and the arithmetic runs in a fixed order.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// onnx-proto is the ONNX protobuf schema compiled for JavaScript (CommonJS).
const { onnx } = require('onnx-proto');

const HERE = dirname(fileURLToPath(import.meta.url));
const LABEL = 'target';
/** Slice columns are for evaluation, not features (see README.md). */
const NOT_FEATURES = new Set([LABEL, 'size']);

/** Every param the script knows, with its default and what it does. */
const DEFAULTS = {
  /** `mlp` (one hidden ReLU layer) or `logistic` (no hidden layer). */
  model: 'mlp',
  /** Units in the hidden layer (mlp only). */
  hidden: 16,
  /** Passes over the training rows. */
  epochs: 200,
  /** Adam's step size. */
  learning_rate: 0.01,
  /** Rows per gradient step. */
  batch_size: 32,
  /** L2 penalty on the weights (not the biases). */
  l2: 0.0001,
  /**
   * The fraction of training labels flipped at random before training. A way to make a bad model
   * on purpose: the demo's third candidate uses it to show the gate blocking a regression.
   */
  label_noise: 0,
  /** Seeds the weight initialisation, the shuffling and the label noise. */
  seed: 0,
  /** The training data, relative to this folder. */
  data: 'data/train.csv',
};

function main() {
  const params = readParams();
  const out = resolve(process.env.MODELGATE_MODEL_PATH || 'model.onnx');
  const table = readCsv(resolve(HERE, params.data));
  const random = mulberry32(params.seed);

  const labels = table.labels.slice();
  const flipped = flipLabels(labels, params.label_noise, random);
  const { mean, std } = columnStats(table.rows);
  const standardised = table.rows.map((row) => row.map((v, j) => (v - mean[j]) / std[j]));

  const net = initialise(table.features.length, params, random);
  const started = performance.now();
  let loss = Number.NaN;
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    loss = trainEpoch(net, standardised, labels, params, random);
  }
  const seconds = (performance.now() - started) / 1000;
  // Accuracy against the true labels: with label noise the model learnt from wrong ones.
  const correct = standardised.filter((row, i) => forward(net, row).p >= 0.5 === (table.labels[i] === 1));

  const bytes = toOnnx(net, mean, std, table.features, params);
  writeAtomically(out, bytes);
  const metrics = {
    train_loss: round(loss),
    train_accuracy: round(correct.length / table.rows.length),
    train_rows: table.rows.length,
    labels_flipped: flipped,
    seconds: round(seconds),
  };
  writeAtomically(join(dirname(out), 'train-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  const described = params.model === 'mlp' ? `an MLP 30 → ${params.hidden} → 1` : 'a logistic regression';
  console.log(
    `trained ${described} on ${table.rows.length} rows for ${params.epochs} epochs: ` +
      `loss ${metrics.train_loss}, train accuracy ${metrics.train_accuracy}` +
      (flipped > 0 ? ` (${flipped} labels flipped on purpose)` : ''),
  );
  console.log(`wrote ${out} (${bytes.length} bytes)`);
}

// ---------------------------------------------------------------------------------------------
// Params

/** The params file when there is one, else MODELGATE_PARAM_* variables; checked against DEFAULTS. */
function readParams() {
  let given = {};
  const file = process.env.MODELGATE_PARAMS_FILE;
  if (file) {
    given = JSON.parse(readFileSync(file, 'utf8')) ?? {};
  } else {
    for (const name of Object.keys(DEFAULTS)) {
      const value = process.env[`MODELGATE_PARAM_${name.toUpperCase()}`];
      if (value !== undefined) given[name] = value;
    }
  }
  const params = { ...DEFAULTS };
  for (const [name, value] of Object.entries(given)) {
    if (!(name in DEFAULTS)) fail(`unknown param '${name}'; known: ${Object.keys(DEFAULTS).join(', ')}`);
    if (typeof DEFAULTS[name] === 'number') {
      const number = Number(value);
      if (value === '' || value === null || !Number.isFinite(number)) {
        fail(`param '${name}' is '${value}'; expected a number`);
      }
      params[name] = number;
    } else {
      params[name] = String(value);
    }
  }
  if (params.model !== 'mlp' && params.model !== 'logistic') {
    fail(`param 'model' is '${params.model}'; expected mlp or logistic`);
  }
  for (const name of ['hidden', 'epochs', 'batch_size']) {
    if (!Number.isInteger(params[name]) || params[name] < 1) {
      fail(`param '${name}' is ${params[name]}; expected a whole number of at least 1`);
    }
  }
  if (!(params.label_noise >= 0 && params.label_noise <= 1)) {
    fail(`param 'label_noise' is ${params.label_noise}; expected a fraction from 0 to 1`);
  }
  if (!(params.learning_rate > 0)) fail(`param 'learning_rate' is ${params.learning_rate}; expected > 0`);
  return params;
}

function fail(message) {
  console.error(`train.mjs: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Data

/** The example's CSV: a header, numeric features, the 0/1 label, a string slice column; no quoting. */
function readCsv(path) {
  const lines = readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter(Boolean);
  const header = (lines.shift() ?? '').split(',');
  const labelAt = header.indexOf(LABEL);
  if (labelAt < 0) fail(`${path} has no '${LABEL}' column`);
  const featureAt = header.map((name, i) => (NOT_FEATURES.has(name) ? -1 : i)).filter((i) => i >= 0);
  const rows = [];
  const labels = [];
  for (const [n, line] of lines.entries()) {
    const cells = line.split(',');
    const row = featureAt.map((i) => Number(cells[i]));
    if (row.some((v) => !Number.isFinite(v))) fail(`${path} line ${n + 2}: a feature is not a number`);
    rows.push(row);
    labels.push(Number(cells[labelAt]));
  }
  return { features: featureAt.map((i) => header[i]), rows, labels };
}

function columnStats(rows) {
  const width = rows[0].length;
  const mean = new Array(width).fill(0);
  const std = new Array(width).fill(0);
  for (const row of rows) for (let j = 0; j < width; j++) mean[j] += row[j] / rows.length;
  for (const row of rows) for (let j = 0; j < width; j++) std[j] += (row[j] - mean[j]) ** 2 / rows.length;
  // A constant column would divide by zero; leave it unscaled.
  return { mean, std: std.map((v) => (v > 0 ? Math.sqrt(v) : 1)) };
}

/** Flips round(fraction × n) labels, chosen at random; returns how many. */
function flipLabels(labels, fraction, random) {
  const order = shuffled(labels.length, random);
  const count = Math.round(fraction * labels.length);
  for (const i of order.slice(0, count)) labels[i] = 1 - labels[i];
  return count;
}

// ---------------------------------------------------------------------------------------------
// The model: a logistic regression, or one hidden ReLU layer, with one logit for class 1

function initialise(inputs, params, random) {
  const hidden = params.model === 'mlp' ? params.hidden : 0;
  // Glorot-uniform weights: the usual start for a small dense network.
  const uniform = (fanIn, fanOut) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return () => (random() * 2 - 1) * limit;
  };
  const layers = [];
  if (hidden > 0) {
    const draw = uniform(inputs, hidden);
    layers.push({ w: matrix(inputs, hidden, draw), b: new Array(hidden).fill(0), relu: true });
  }
  const last = hidden > 0 ? hidden : inputs;
  const draw = uniform(last, 1);
  layers.push({ w: matrix(last, 1, draw), b: [0], relu: false });
  for (const layer of layers) {
    layer.adam = { w: adamState(layer.w.length * layer.w[0].length), b: adamState(layer.b.length) };
  }
  return { layers, step: 0 };
}

function matrix(rows, cols, draw) {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, draw));
}

function adamState(size) {
  return { m: new Float64Array(size), v: new Float64Array(size) };
}

/** The activations of every layer and the probability of class 1. */
function forward(net, row) {
  const activations = [row];
  let input = row;
  for (const layer of net.layers) {
    const output = layer.b.slice();
    for (let i = 0; i < input.length; i++) {
      const x = input[i];
      if (x === 0) continue;
      const weights = layer.w[i];
      for (let j = 0; j < output.length; j++) output[j] += x * weights[j];
    }
    if (layer.relu) for (let j = 0; j < output.length; j++) output[j] = Math.max(0, output[j]);
    activations.push(output);
    input = output;
  }
  const z = input[0];
  return { activations, p: 1 / (1 + Math.exp(-z)) };
}

/** One pass over the rows in a fresh random order, mini-batch Adam on the log loss; returns the mean loss. */
function trainEpoch(net, rows, labels, params, random) {
  const order = shuffled(rows.length, random);
  let total = 0;
  for (let start = 0; start < order.length; start += params.batch_size) {
    const batch = order.slice(start, start + params.batch_size);
    const grads = net.layers.map((layer) => ({
      w: layer.w.map((r) => new Array(r.length).fill(0)),
      b: new Array(layer.b.length).fill(0),
    }));
    for (const i of batch) {
      const { activations, p } = forward(net, rows[i]);
      const y = labels[i];
      total -= y * Math.log(Math.max(p, 1e-15)) + (1 - y) * Math.log(Math.max(1 - p, 1e-15));
      // Back-propagation: d(loss)/d(logit) of a sigmoid with log loss is p − y.
      let delta = [p - y];
      for (let l = net.layers.length - 1; l >= 0; l--) {
        const layer = net.layers[l];
        const input = activations[l];
        const g = grads[l];
        for (let j = 0; j < delta.length; j++) g.b[j] += delta[j];
        for (let k = 0; k < input.length; k++) {
          const x = input[k];
          if (x !== 0) for (let j = 0; j < delta.length; j++) g.w[k][j] += x * delta[j];
        }
        if (l > 0) {
          const below = activations[l];
          const next = new Array(input.length).fill(0);
          for (let k = 0; k < input.length; k++) {
            if (net.layers[l - 1].relu && below[k] <= 0) continue;
            let sum = 0;
            for (let j = 0; j < delta.length; j++) sum += layer.w[k][j] * delta[j];
            next[k] = sum;
          }
          delta = next;
        }
      }
    }
    adamStep(net, grads, batch.length, params);
  }
  return total / rows.length;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

function adamStep(net, grads, size, params) {
  net.step += 1;
  const correction1 = 1 - BETA1 ** net.step;
  const correction2 = 1 - BETA2 ** net.step;
  const update = (state, index, gradient) => {
    state.m[index] = BETA1 * state.m[index] + (1 - BETA1) * gradient;
    state.v[index] = BETA2 * state.v[index] + (1 - BETA2) * gradient * gradient;
    const m = state.m[index] / correction1;
    const v = state.v[index] / correction2;
    return (params.learning_rate * m) / (Math.sqrt(v) + EPSILON);
  };
  net.layers.forEach((layer, l) => {
    const g = grads[l];
    const cols = layer.b.length;
    for (let k = 0; k < layer.w.length; k++) {
      for (let j = 0; j < cols; j++) {
        const gradient = g.w[k][j] / size + params.l2 * layer.w[k][j];
        layer.w[k][j] -= update(layer.adam.w, k * cols + j, gradient);
      }
    }
    for (let j = 0; j < cols; j++) layer.b[j] -= update(layer.adam.b, j, g.b[j] / size);
  });
}

// ---------------------------------------------------------------------------------------------
// Randomness: mulberry32, a small seeded generator, so a run can be repeated bit for bit

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n, random) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

// ---------------------------------------------------------------------------------------------
// ONNX: input `input` float32 [N, 30] (the raw columns), output `probabilities` float32 [N, 2]
//
//   input → Sub(mean) → Div(std) → [MatMul → Add → Relu] → MatMul → Add → Softmax → probabilities
//
// The standardisation is inside the graph, so a client sends raw features. The single logit z of
// class 1 is laid out as the logits [0, z] of two classes: softmax([0, z]) = [1 − σ(z), σ(z)],
// the same probabilities, in the [N, C] layout evaluate and the server read.

const OPSET = 13;
// IR version 8 (ONNX 1.10) is read by every onnxruntime of the last years.
const IR_VERSION = 8;

function toOnnx(net, mean, std, features, params) {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const initializers = [];
  const nodes = [];
  const constant = (name, dims, values) => {
    initializers.push({ name, dataType: FLOAT, dims, floatData: Array.from(values, Math.fround) });
    return name;
  };
  const node = (opType, inputs, output, attribute = []) => {
    nodes.push({
      opType,
      input: inputs,
      output: [output],
      name: `${opType.toLowerCase()}_${nodes.length}`,
      attribute,
    });
    return output;
  };

  let x = node('Sub', ['input', constant('mean', [features.length], mean)], 'centred');
  x = node('Div', [x, constant('std', [features.length], std)], 'standardised');
  net.layers.forEach((layer, l) => {
    const last = l === net.layers.length - 1;
    const rows = layer.w.length;
    // The last layer's one logit becomes the two logits [0, z].
    const weights = last ? layer.w.flatMap((r) => [0, r[0]]) : layer.w.flat();
    const bias = last ? [0, layer.b[0]] : layer.b;
    const cols = bias.length;
    x = node('MatMul', [x, constant(`w${l}`, [rows, cols], weights)], `matmul${l}`);
    x = node('Add', [x, constant(`b${l}`, [cols], bias)], last ? 'logits' : `dense${l}`);
    if (layer.relu) x = node('Relu', [x], `relu${l}`);
  });
  node('Softmax', [x], 'probabilities', [
    { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
  ]);

  const tensorType = (dims) => ({
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  });
  const model = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'modelgate-example-train',
    producerVersion: '1',
    docString: `breast-cancer ${params.model}; params ${JSON.stringify(params)}`,
    graph: {
      name: 'breast_cancer',
      node: nodes,
      initializer: initializers,
      input: [{ name: 'input', type: tensorType(['N', features.length]) }],
      output: [{ name: 'probabilities', type: tensorType(['N', 2]) }],
    },
    metadataProps: [{ key: 'features', value: features.join(',') }],
  };
  const problem = onnx.ModelProto.verify(model);
  if (problem) throw new Error(`the ONNX model is malformed: ${problem}`);
  return Buffer.from(onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish());
}

// ---------------------------------------------------------------------------------------------

/** Written whole or not at all, so a killed run never leaves half a model. */
function writeAtomically(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

function round(value) {
  return Math.round(value * 1e4) / 1e4;
}

main();
