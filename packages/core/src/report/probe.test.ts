// @vitest-environment happy-dom
import { test } from 'vitest';
test('probe', async () => {
  const { default: mermaid } = await import('mermaid');
  await mermaid.parse('xychart-beta\n line [1, 2]');
  const d = await mermaid.mermaidAPI.getDiagramFromText('xychart-beta\n  title "a (b)"\n  x-axis ["v1", "baseline (champion)"]\n  y-axis "acc" 0.9 --> 1\n  line [0.5, 0.0000012]\n');
  console.log(JSON.stringify((d.db as any).getXYChartData()));
  console.log(JSON.stringify(await mermaid.parse('xychart-beta\n  line [0.5, 1e-7]\n', { suppressErrors: true })));
  console.log(JSON.stringify(await mermaid.parse('xychart-beta\n  line [0.5, -3]\n', { suppressErrors: true })));
});
