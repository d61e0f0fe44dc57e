// The issue-17 baseline: the plainest Node http server around one onnxruntime-node session,
// speaking OIP v2 over HTTP + JSON (one input, one output, no checks, no batching, no metrics).
// What modelgate serve is measured against. Usage: node bench/plain-server.mjs MODEL.onnx

import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';

const session = await ort.InferenceSession.create(process.argv[2], {
  executionProviders: ['cpu'],
  intraOpNumThreads: availableParallelism(),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  // modelgate serve's session options, so that only the server around the session differs.
  extra: { session: { intra_op: { allow_spinning: '0' } } },
});
const [output] = session.outputNames;
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    const { inputs } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const [input] = inputs;
    const tensor = new ort.Tensor('float32', Float32Array.from(input.data), input.shape);
    const result = (await session.run({ [input.name]: tensor }, [output]))[output];
    const body = JSON.stringify({
      model_name: 'plain',
      outputs: [{ name: output, datatype: 'FP32', shape: result.dims, data: Array.from(result.data) }],
    });
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
