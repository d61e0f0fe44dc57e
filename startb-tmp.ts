import { createFsRegistry } from '@modelgate/core';
import { startServer } from '@modelgate/server';
import { mkdtempSync } from 'node:fs';
const root = mkdtempSync('/tmp/srv/b/reg-');
const registry = createFsRegistry(root);
await registry.register({ name: 'bench', modelPath: 'bench/models/mlp-32.onnx', evaluation: null, verdict: null, lineage: {}, requirePassed: false });
const s = await startServer({ registry, port: 18080, adminToken: 'tok', preload: ['bench@1'], maxBatch: Number(process.env.MB ?? 64), maxWaitMs: Number(process.env.MW ?? 2) });
console.log(s.url);
process.on('SIGINT', async () => { await s.close(); process.exit(0); });
