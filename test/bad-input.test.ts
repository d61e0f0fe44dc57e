import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { linearClassifier } from '../packages/core/src/inference/__fixtures__/onnx-writer.ts';
import { bin, cli, FIXTURES, tempDir } from './helpers.ts';

/**
 * Every bad input gets exit code 2, one `modelgate: error:` line naming the problem (plus at most
 * a `hint:` line), no stack trace, and no output file.
 */
const dir = tempDir();
const binary = join(FIXTURES, 'binary-sigmoid');
const model = join(binary, 'model.onnx');
const csv = readFileSync(join(binary, 'data.csv'), 'utf8');
const lines = csv.trimEnd().split('\n');
const header = (lines[0] as string).split(',');
const targetIndex = header.indexOf('target');

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The CSV with one cell of data row `row` (1-based) replaced. */
function withCell(row: number, column: string, value: string): string {
  const index = header.indexOf(column);
  return lines
    .map((line, i) => {
      if (i !== row) return line;
      const cells = line.split(',');
      cells[index] = value;
      return cells.join(',');
    })
    .join('\n');
}

const cases: Array<{ name: string; args: () => string[]; message: RegExp }> = [
  {
    name: 'a corrupt ONNX file',
    args: () => [
      '--model',
      file('corrupt.onnx', Buffer.from('this is not a protobuf model at all')),
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
    ],
    message: /model file .*corrupt\.onnx is not a valid ONNX model/,
  },
  {
    // The data is read while the model loads; the model's problem is still the one reported.
    name: 'a corrupt ONNX file and a ragged data file',
    args: () => [
      '--model',
      file('corrupt-too.onnx', Buffer.from('this is not a protobuf model at all')),
      '--data',
      file('ragged-too.csv', `${csv.trimEnd()}\n1,2\n`),
      '--label',
      'target',
    ],
    message: /model file .*corrupt-too\.onnx is not a valid ONNX model/,
  },
  {
    name: 'a truncated ONNX file',
    args: () => {
      const bytes = readFileSync(model);
      return [
        '--model',
        file('truncated.onnx', bytes.subarray(0, Math.floor(bytes.length / 2))),
        '--data',
        join(binary, 'data.csv'),
        '--label',
        'target',
      ];
    },
    message: /truncated\.onnx is not a valid ONNX model/,
  },
  {
    name: 'an empty ONNX file',
    args: () => ['--model', file('empty.onnx', ''), '--data', join(binary, 'data.csv'), '--label', 'target'],
    message: /model file .*empty\.onnx is empty/,
  },
  {
    name: 'a missing model file',
    args: () => ['--model', join(dir, 'nope.onnx'), '--data', join(binary, 'data.csv'), '--label', 'target'],
    message: /model file not found: .*nope\.onnx/,
  },
  {
    name: 'a missing data file',
    args: () => ['--model', model, '--data', join(dir, 'nope.csv'), '--label', 'target'],
    message: /nope\.csv/,
  },
  {
    name: 'a missing label column',
    args: () => ['--model', model, '--data', join(binary, 'data.csv'), '--label', 'targett'],
    message: /targett/,
  },
  {
    name: 'a missing feature column',
    args: () => [
      '--model',
      model,
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
      '--features',
      'mean_radius,no_such_column',
    ],
    message: /no_such_column/,
  },
  {
    name: 'a missing slice column',
    args: () => [
      '--model',
      model,
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
      '--slice-by',
      'regionn',
    ],
    message: /regionn/,
  },
  {
    name: 'a feature count that does not fit the model',
    args: () => [
      '--model',
      model,
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
      '--features',
      'mean_radius,mean_texture',
    ],
    message: /expects 30 features .* but 2 feature columns were selected/,
  },
  {
    name: 'a non-numeric feature cell',
    args: () => [
      '--model',
      model,
      '--data',
      file('text-cell.csv', withCell(12, 'mean_area', 'abc')),
      '--label',
      'target',
      '--slice-by',
      'size',
    ],
    message: /text-cell\.csv.*mean_area.*(row|line) 1[23]/,
  },
  {
    name: 'a ragged row',
    args: () => {
      const ragged = lines
        .map((line, i) => (i === 5 ? line.split(',').slice(0, -2).join(',') : line))
        .join('\n');
      return [
        '--model',
        model,
        '--data',
        file('ragged.csv', ragged),
        '--label',
        'target',
        '--slice-by',
        'size',
      ];
    },
    message: /ragged\.csv.*(line|row) [56]/,
  },
  {
    name: 'an empty data file',
    args: () => ['--model', model, '--data', file('empty.csv', ''), '--label', 'target'],
    message: /empty\.csv/,
  },
  {
    name: 'a header-only data file',
    args: () => ['--model', model, '--data', file('header-only.csv', `${lines[0]}\n`), '--label', 'target'],
    message: /header-only\.csv.*no data rows/,
  },
  {
    name: 'a label outside --classes',
    args: () => [
      '--model',
      model,
      '--data',
      file('label-2.csv', withCell(3, 'target', '2')),
      '--label',
      'target',
      '--slice-by',
      'size',
      '--classes',
      '0,1',
    ],
    message: /column 'target' row 3 has '2', which is not one of the classes \(0, 1\)/,
  },
  {
    name: 'an empty regression label',
    args: () => {
      const regression = readFileSync(join(FIXTURES, 'regression', 'data.csv'), 'utf8')
        .trimEnd()
        .split('\n');
      const cols = (regression[0] as string).split(',');
      const t = cols.indexOf('target');
      const edited = regression.map((line, i) => {
        if (i !== 4) return line;
        const cells = line.split(',');
        cells[t] = '';
        return cells.join(',');
      });
      const features = cols.filter((c) => !['target', 'bmi_band', 'age_band'].includes(c)).join(',');
      return [
        '--model',
        join(FIXTURES, 'regression', 'model.onnx'),
        '--data',
        file('empty-label.csv', edited.join('\n')),
        '--label',
        'target',
        '--task',
        'regression',
        '--features',
        features,
      ];
    },
    message: /empty-label\.csv: column 'target' row 4 is empty/,
  },
  {
    name: 'a bad --bootstrap value',
    args: () => ['--model', model, '--data', join(binary, 'data.csv'), '--label', 'target', '--bootstrap=-5'],
    message: /--bootstrap '-5' is not valid; expected an integer/,
  },
  {
    name: 'a flag value that looks like a flag',
    args: () => ['--model', model, '--data', join(binary, 'data.csv'), '--label', 'target', '--seed', '-3'],
    message: /--seed needs a value; a value that starts with '-' is written --seed=-…/,
  },
  {
    name: 'a text column among the default features',
    args: () => ['--model', model, '--data', join(binary, 'data.csv'), '--label', 'target'],
    message: /column 'size' row 1 is 'medium', expected a number/,
  },
  {
    name: 'a bad --task value',
    args: () => [
      '--model',
      model,
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
      '--task',
      'ranking',
    ],
    message: /--task 'ranking' is not valid; expected one of binary, multiclass, regression/,
  },
  {
    name: 'a bad --provider value',
    args: () => [
      '--model',
      model,
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
      '--provider',
      'tpu',
    ],
    message: /--provider 'tpu' is not valid/,
  },
  {
    name: 'a bad --confidence value',
    args: () => [
      '--model',
      model,
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
      '--confidence',
      '95',
    ],
    message: /--confidence '95' is not valid/,
  },
  {
    name: 'an unknown flag',
    args: () => ['--model', model, '--data', join(binary, 'data.csv'), '--lable', 'target'],
    message: /unknown option --lable/,
  },
  {
    name: '--output naming no output',
    args: () => [
      '--model',
      model,
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
      '--slice-by',
      'size',
      '--output',
      'probs_typo',
    ],
    message: /has no output 'probs_typo'; its outputs are: /,
  },
  {
    name: 'a model with only a ZipMap output',
    args: () => [
      '--model',
      join(FIXTURES, 'zipmap-only', 'model.onnx'),
      '--data',
      join(FIXTURES, 'zipmap-only', 'data.csv'),
      '--label',
      'target',
    ],
    message: /ZipMap/,
  },
  {
    name: 'both --model and --predictions',
    args: () => ['--model', model, '--predictions', join(binary, 'data.csv'), '--label', 'target'],
    message: /not both/,
  },
  {
    name: 'a predictions file without prediction columns',
    args: () => ['--predictions', join(binary, 'data.csv'), '--label', 'target'],
    message: /neither a 'prediction' column nor 'proba_<class>' columns/,
  },
];

describe('bad input: exit 2, one clear line, nothing written', () => {
  beforeAll(() => {
    expect(targetIndex).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`rejects ${c.name}`, async () => {
      const out = join(dir, `${c.name.replace(/\W+/g, '-')}.json`);
      const args = c.args();
      const quick = args.some((a) => a.startsWith('--bootstrap')) ? [] : ['--bootstrap', '0'];
      const result = await cli(['evaluate', ...args, ...quick, '--out', out]);
      const errorLines = result.stderr.split('\n').filter((line) => line !== '');
      const errors = errorLines.filter((line) => line.startsWith('modelgate: error: '));
      expect(errors, result.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(c.message);
      expect(result.code).toBe(2);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr).not.toMatch(/internal error/);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('prints no stack trace from the real process either, and writes nothing', () => {
    const out = join(dir, 'bin-out.json');
    const result = bin([
      'evaluate',
      '--model',
      join(dir, 'corrupt.onnx'),
      '--data',
      join(binary, 'data.csv'),
      '--label',
      'target',
      '--out',
      out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^modelgate: error: model file .*corrupt\.onnx is not a valid ONNX model/,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown command names itself and exits 2', async () => {
    const result = await cli(['evaluat']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^modelgate: error: unknown command 'evaluat'/);
  });

  it('deploy without a model name names the flag and exits 2', async () => {
    const result = await cli(['deploy', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^modelgate: error: --name is required/);
  });

  it('deploy with a smoke wire it does not know, or a gRPC address that is not one, names the flag and exits 2', async () => {
    const deploy = ['deploy', '--name', 'churn', '--url', 'http://127.0.0.1:9'];
    const wire = await cli([...deploy, '--wire', 'quic']);
    expect(wire.code).toBe(2);
    expect(wire.stderr).toBe("modelgate: error: --wire 'quic' is not valid; expected one of http, grpc\n");
    const address = await cli([...deploy, '--wire', 'grpc', '--grpc-url', 'http://127.0.0.1:9']);
    expect(address.code).toBe(2);
    expect(address.stderr).toBe(
      "modelgate: error: --grpc-url 'http://127.0.0.1:9' is not a gRPC address\nhint: e.g. grpc://127.0.0.1:8081 or 127.0.0.1:8081\n",
    );
  });
});

describe('bad values never become metrics: exit 2 naming the file, row and column', () => {
  /** Evaluates with the binary model; stderr's lines and the exit code. */
  async function evaluateBad(args: string[]): Promise<{ code: number; lines: string[]; out: string }> {
    const out = join(dir, `bad-value-${args.join('-').replace(/\W+/g, '-').slice(-60)}.json`);
    const result = await cli(['evaluate', ...args, '--bootstrap', '0', '--out', out]);
    expect(existsSync(out)).toBe(false);
    return { code: result.code, lines: result.stderr.split('\n').filter((line) => line !== ''), out };
  }

  const modelArgs = (data: string) => [
    '--model',
    model,
    '--data',
    data,
    '--label',
    'target',
    '--slice-by',
    'size',
  ];

  it('rejects one NaN feature cell, which used to turn every output into "logits"', async () => {
    const data = file('nan-cell.csv', withCell(17, 'mean_texture', 'NaN'));
    const { code, lines } = await evaluateBad(modelArgs(data));
    expect(code).toBe(2);
    expect(lines).toEqual([
      `modelgate: error: ${data}: column 'mean_texture' row 17 is 'NaN' (not a number); features must be finite numbers`,
      'hint: fill or drop missing values before evaluating (pandas: df.fillna(…) or df.dropna())',
    ]);
  });

  it('rejects inf and a 5,000,000-digit number, which parsed as Infinity', async () => {
    const inf = file('inf-cell.csv', withCell(200, 'worst_area', 'inf'));
    const infinite = await evaluateBad(modelArgs(inf));
    expect(infinite.code).toBe(2);
    expect(infinite.lines[0]).toBe(
      `modelgate: error: ${inf}: column 'worst_area' row 200 is 'inf' (infinite); features must be finite numbers`,
    );
    const digits = `9${'0'.repeat(5_000_000)}`;
    const long = file('long-cell.csv', withCell(1, 'mean_radius', digits));
    const huge = await evaluateBad(modelArgs(long));
    expect(huge.code).toBe(2);
    expect(huge.lines[0]).toBe(
      `modelgate: error: ${long}: column 'mean_radius' row 1 is '${digits.slice(0, 40)}…', beyond float32's range (±3.4e38), the type the model takes`,
    );
  });

  it('rejects a finite float64 that overflows float32', async () => {
    const data = file('overflow-cell.csv', withCell(5, 'mean_area', '-1e300'));
    const { code, lines } = await evaluateBad(modelArgs(data));
    expect(code).toBe(2);
    expect(lines).toEqual([
      `modelgate: error: ${data}: column 'mean_area' row 5 is '-1e300', beyond float32's range (±3.4e38), the type the model takes`,
      'hint: rescale or clip the feature to float32 range before evaluating',
    ]);
  });

  /** A predictions file: the binary fixture's, with proba_1 of data row `row` (1-based) replaced. */
  function predictionsWith(name: string, row: number, value: string): string {
    const text = readFileSync(join(FIXTURES, 'predictions-binary', 'predictions.csv'), 'utf8');
    const rows = text.trimEnd().split('\n');
    rows[row] = `${(rows[row] as string).split(',')[0]},${value}`;
    return file(name, `${rows.join('\n')}\n`);
  }

  it('holds a predictions file to [0, 1]: 1.5, -0.2 and nan are errors, never logits', async () => {
    for (const [row, value] of [
      [3, '1.5'],
      [40, '-0.2'],
      [7, 'nan'],
    ] as const) {
      const predictions = predictionsWith(`proba-${row}.csv`, row, value);
      const { code, lines } = await evaluateBad(['--predictions', predictions, '--label', 'y']);
      expect(code).toBe(2);
      expect(lines).toEqual([
        `modelgate: error: predictions file ${predictions}: column 'proba_1' row ${row} is '${value}', not a probability in [0, 1]`,
        'hint: write probabilities (predict_proba), not logits or scores; to score a model whose output is logits, evaluate the model with --model',
      ]);
    }
  });

  it('holds each row of per-class probabilities to a sum of 1', async () => {
    const text = readFileSync(join(FIXTURES, 'predictions-multiclass', 'predictions.csv'), 'utf8');
    const rows = text.trimEnd().split('\n');
    rows[2] = 'cat,0.1,0.5,0.2,0.1,mobile';
    const predictions = file('sums.csv', `${rows.join('\n')}\n`);
    const { code, lines } = await evaluateBad([
      '--predictions',
      predictions,
      '--label',
      'y',
      '--slice-by',
      'source',
    ]);
    expect(code).toBe(2);
    expect(lines[0]).toBe(
      `modelgate: error: predictions file ${predictions}: row 2's probabilities (proba_bird, proba_cat, proba_dog, proba_fish) sum to 0.9, not 1`,
    );
  });

  it("rejects labels that the model's own classes do not include, naming both", async () => {
    const named = file(
      'named.onnx',
      linearClassifier({
        classes: ['zebra', 'ant', 'mole'],
        coefficients: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
      }),
    );
    const data = file('animals.csv', 'a,b,animal\n1,0,zebra\n0,1,cat\n1,1,mole\n0,0,dog\n');
    const { code, lines } = await evaluateBad(['--model', named, '--data', data, '--label', 'animal']);
    expect(code).toBe(2);
    expect(lines).toEqual([
      "modelgate: error: the label column 'animal' has values (cat, dog) that the model's classes (zebra, ant, mole, from its classlabels_strings of its LinearClassifier node) do not include",
      'hint: fix the label column, or pass --classes with the class names in the order of the model output columns',
    ]);
  });
});
