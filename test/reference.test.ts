import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, tempDir } from './helpers.ts';

/**
 * Every case under test/fixtures/models holds a model (or a predictions file), its data, and the
 * values scikit-learn computes from the exact outputs onnxruntime gives (generate_models.py).
 * modelgate must agree within 1e-6 on every metric, the confusion matrix and every slice.
 */
interface Expected {
  description: string;
  args: string[];
  task: string;
  classes?: string[];
  output?: string;
  transform?: string;
  rows?: number;
  metrics: Record<string, number>;
  omitted?: Record<string, string>;
  confusion_matrix?: number[][];
  slices?: Array<{ column: string; value: string; rows: number; metrics: Record<string, number> }>;
  /** For values so large that 1e-6 is below one float64 step (a mape of 1e13): a relative bound. */
  relative_tolerance?: Record<string, number>;
}

const TOLERANCE = 1e-6;
const MEASURED = [
  'rows_per_second',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'model_size_bytes',
];

const cases = readdirSync(FIXTURES).filter((name) => existsSync(join(FIXTURES, name, 'expected.json')));
const out = tempDir();

function resolveArgs(name: string, args: string[]): string[] {
  const pathFlags = new Set(['--model', '--data', '--predictions']);
  return args.map((arg, i) =>
    i > 0 && pathFlags.has(args[i - 1] as string) ? join(FIXTURES, name, arg) : arg,
  );
}

function expectClose(
  actual: Record<string, { value: number }>,
  expected: Record<string, number>,
  where: string,
  relative: Record<string, number> = {},
) {
  const computed = Object.keys(actual).filter((name) => !MEASURED.includes(name));
  expect(computed.sort(), `${where}: metric names`).toEqual(Object.keys(expected).sort());
  for (const [name, value] of Object.entries(expected)) {
    const got = actual[name]?.value as number;
    const bound = relative[name] === undefined ? TOLERANCE : (relative[name] as number) * Math.abs(value);
    expect(Math.abs(got - value), `${where}: ${name} = ${got}, sklearn ${value}`).toBeLessThanOrEqual(bound);
  }
}

describe('evaluate matches scikit-learn on the reference fixtures', () => {
  it('has reference cases to check', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of cases) {
    it(`${name}`, async () => {
      const expected = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected;
      const file = join(out, `${name}.json`);
      const result = await cli([
        'evaluate',
        ...resolveArgs(name, expected.args),
        '--bootstrap',
        '0',
        '--out',
        file,
      ]);
      expect(result.stderr).not.toMatch(/error/);
      expect(result.code).toBe(0);
      const record = JSON.parse(readFileSync(file, 'utf8'));

      expect(record.schema).toBe('modelgate/evaluation@1');
      expect(record.task).toBe(expected.task);
      if (expected.classes !== undefined) expect(record.data.classes).toEqual(expected.classes);
      if (expected.rows !== undefined) expect(record.data.rows).toBe(expected.rows);
      if (expected.output !== undefined) expect(record.model.output).toBe(expected.output);
      if (expected.transform !== undefined && record.model !== undefined) {
        expect(record.model.transform).toBe(expected.transform);
      }
      expectClose(record.metrics, expected.metrics, name, expected.relative_tolerance);
      if (expected.confusion_matrix !== undefined)
        expect(record.confusion_matrix.matrix).toEqual(expected.confusion_matrix);
      if (record.model !== undefined) {
        expect(record.metrics.model_size_bytes.value).toBe(record.model.bytes);
        expect(record.metrics.rows_per_second.value).toBeGreaterThan(0);
        expect(record.metrics.latency_p50_ms.value).toBeLessThanOrEqual(record.metrics.latency_p99_ms.value);
      } else {
        for (const measured of MEASURED) expect(record.metrics[measured]).toBeUndefined();
      }
      for (const metric of Object.values(record.metrics) as Array<{ ci?: unknown }>)
        expect(metric.ci).toBeUndefined();

      for (const slice of expected.slices ?? []) {
        const got = record.slices.find(
          (s: { column: string; value: string }) => s.column === slice.column && s.value === slice.value,
        );
        expect(got, `slice ${slice.column}=${slice.value}`).toBeDefined();
        expect(got.rows).toBe(slice.rows);
        expectClose(got.metrics, slice.metrics, `${name} slice ${slice.value}`);
      }
      if (expected.slices !== undefined) expect(record.slices).toHaveLength(expected.slices.length);
    });
  }
});
