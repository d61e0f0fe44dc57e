import { describe, expect, it } from 'vitest';
import { presentDemo } from './present.ts';

const told = {
  model: 'breast-cancer',
  production: 2,
  registry: '/work/demo/registry',
  reports: { improved: '/work/demo/2-improved/report.md', bad: '/work/demo/3-bad/report.md' },
  stateFile: '/work/demo/demo-state.json',
  adminTokenFile: '/work/demo/admin-token',
  server: { url: 'http://127.0.0.1:8080', grpcUrl: 'grpc://127.0.0.1:8081', close: async () => {} },
};

describe('the demo presentation', () => {
  it('says where things are, relative to where the user is, and how to deploy over gRPC by hand', () => {
    const shown = presentDemo({ kind: 'told', told, serving: true, seconds: 6.04, cwd: '/work' });
    const text = shown.lines.map((line) => line.text).join('\n');
    expect(text).toContain('  registry                       fs:demo/registry  (npx modelgate registry list');
    expect(text).toContain('The demo took 6.0 s. The server keeps running; try:');
    expect(text).toContain(
      'npx modelgate deploy --name breast-cancer --ref 1 --allow-downgrade --url http://127.0.0.1:8080 --wire grpc --grpc-url grpc://127.0.0.1:8081 --registry fs:demo/registry',
    );
    expect(shown.exitCode).toBe(0);
  });

  it('fails with the step that went astray', () => {
    const shown = presentDemo({ kind: 'astray', reason: 'the bad candidate should fail its gates' });
    expect(shown.exitCode).toBe(1);
    expect(shown.lines).toEqual([
      {
        stream: 'err',
        text: 'modelgate: the demo did not go as told: the bad candidate should fail its gates',
      },
    ]);
  });
});
