// The wires' own cost in Node (issue 17): the barest server of each wire, answering every
// request with a canned answer of the size modelgate's would have, decoding nothing and running
// no model. bench/server.ts drives both with h2load and reports their CPU per request: what any
// server on node:http (HTTP/1.1) or node:http2 (gRPC) pays before doing anything.
// Usage: node bench/server-floor.mjs http|grpc
import { createServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';

const wire = process.argv[2];
// modelgate's answer to a one-row mlp-32 request: JSON of 2 FP32 values, or a ModelInferResponse
// with its raw bytes (40 bytes of protobuf behind the 5-byte gRPC frame header).
const json = Buffer.from(
  '{"model_name":"mlp-32","model_version":"1","outputs":[{"name":"output","datatype":"FP32","shape":[1,2],"data":[0.1,0.2]}]}',
);
const frame = Buffer.alloc(45);
frame.writeUInt32BE(40, 1);

const server =
  wire === 'grpc'
    ? createHttp2Server().on('stream', (stream) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(frame);
        });
      })
    : createServer((request, response) => {
        request.on('data', () => undefined);
        request.on('end', () => {
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': json.length });
          response.end(json);
        });
      });
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
