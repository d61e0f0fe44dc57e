// Renders one real report and screenshots it the way a reviewer sees it on GitHub:
//   docs/report-example.md    the report, byte for byte what compare-to-baseline would post
//   docs/report-screenshot.png that markdown through a GFM renderer, in headless Chromium
//
// Run from the repository root (needs Debian's `chromium` package):
//   node --import tsx scripts/render-report-screenshot.mjs
//
// Nothing here is made up: both models are real ONNX files scored on the same 200 rows
// (paired), and the gates are decided by the same code as `modelgate compare`. The candidate is
// the example project's MLP; the baseline ("champion") is the logistic regression of the
// reference fixtures, which was trained on the same split. Only the provenance that CI would
// supply (PR, run URL) is an example value.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';
import { parse as parseYaml } from 'yaml';
import { compare } from '../packages/core/src/compare/compare.ts';
import { parseGateSpec } from '../packages/core/src/gates/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(root, path);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WIDTH = 1000;

const SPEC = `
model: breast-cancer
gates:
  accuracy:       { min: 0.90, max_drop: 0.01 }
  roc_auc:        { max_drop: 1%, significance: 0.05 }
  log_loss:       { max_increase: 0.02, significance: 0.05 }
  f1:             { min_improvement: 0.005 }
  latency_p95_ms: { max: 20 }
slice_gates:
  accuracy: { max_drop: 0.03 }
`;

async function renderExample() {
  // Relative paths, as in a workflow run from the repository root: the record keeps them as given.
  process.chdir(root);
  const spec = parseGateSpec(parseYaml(SPEC), 'scripts/render-report-screenshot.mjs');
  const { report } = await compare(
    {
      name: 'breast-cancer',
      spec,
      source: {
        mode: 'paired',
        baselineModel: 'test/fixtures/models/binary-sigmoid/model.onnx',
        evaluate: {
          model: 'examples/breast-cancer/model.onnx',
          data: 'examples/breast-cancer/data/eval.csv',
          label: 'target',
          sliceBy: ['size'],
          bootstrap: 1000,
          confidence: 0.95,
          seed: 42,
          provider: 'cpu',
          batchSize: 8192,
        },
      },
      baselineRef: 'champion',
      provenance: {
        commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
        ref: 'refs/pull/7/merge',
        pr: 7,
        runUrl: 'https://github.com/example/breast-cancer/actions/runs/1234567890',
      },
    },
    { info: (m) => console.error(m), warning: (m) => console.error(`warning: ${m}`) },
  );
  return report;
}

/** GitHub's markdown look, close enough to judge spacing, tables and the fold. */
const CSS = `
body { margin: 0; background: #fff; }
.comment { box-sizing: border-box; width: ${WIDTH}px; padding: 16px 24px 24px;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif,
    "Noto Color Emoji";
  color: #1f2328; }
.header { margin: -16px -24px 16px; padding: 8px 24px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0;
  color: #59636e; font-size: 14px; }
.header b { color: #1f2328; }
h3 { font-size: 1.25em; font-weight: 600; margin: 0 0 16px; line-height: 1.25; }
h4 { font-size: 1em; font-weight: 600; margin: 24px 0 16px; }
p, ul, table, pre, details { margin: 0 0 16px; }
ul { padding-left: 2em; }
li + li { margin-top: .25em; }
code { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 85%; padding: .2em .4em; background: rgba(129,139,152,.12); border-radius: 6px; }
pre { padding: 16px; background: #f6f8fa; border-radius: 6px; overflow: auto; }
pre code { padding: 0; background: none; }
table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content; max-width: 100%;
  overflow: auto; font-variant: tabular-nums; }
th, td { padding: 6px 13px; border: 1px solid #d1d9e0; }
th { font-weight: 600; }
tr { background: #fff; border-top: 1px solid #d1d9e0b3; }
tr:nth-child(2n) { background: #f6f8fa; }
summary { cursor: pointer; }
sub { font-size: 85%; color: #59636e; }
pre.mermaid { background: none; padding: 0; text-align: left; }
`;

function toHtml(markdown) {
  const mermaidJs = readFileSync(at('node_modules/mermaid/dist/mermaid.min.js'), 'utf8');
  const body = marked
    .parse(markdown, { gfm: true })
    // GitHub draws ```mermaid blocks; so does this page, with the same library, offline.
    .replace(
      /<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g,
      '<pre class="mermaid">$1</pre>',
    )
    // Opened, so the picture also shows what a click on each fold reveals.
    .replaceAll('<details>', '<details open>');
  return `<!doctype html>
<html><head><meta charset="utf-8"><style>${CSS}</style></head>
<body><div class="comment">
<div class="header"><b>github-actions</b> bot commented</div>
${body}
</div>
<script>${mermaidJs.replaceAll('</script', '<\\/script')}</script>
<script>
  mermaid.initialize({ startOnLoad: false, theme: 'default' });
  mermaid.run({ querySelector: 'pre.mermaid' }).finally(() => {
    document.title = 'height=' + Math.ceil(document.querySelector('.comment').getBoundingClientRect().height);
  });
</script>
</body></html>`;
}

function chromium(profile, ...args) {
  return execFileSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      // Mermaid renders after load; virtual time lets it finish before the capture.
      '--virtual-time-budget=10000',
      ...args,
    ],
    // The dumped DOM holds the inlined mermaid bundle (~3 MB); stderr is D-Bus noise in a container.
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 },
  );
}

const markdown = await renderExample();
writeFileSync(at('docs/report-example.md'), markdown);
console.error(`wrote docs/report-example.md (${markdown.length.toLocaleString('en-US')} characters)`);

const work = mkdtempSync(join(tmpdir(), 'modelgate-report-'));
try {
  const page = join(work, 'report.html');
  writeFileSync(page, toHtml(markdown));
  // First pass: how tall the comment is once the charts are drawn, so the picture fits it exactly.
  const dom = chromium(
    join(work, 'profile-1'),
    `--window-size=${WIDTH},1800`,
    '--dump-dom',
    `file://${page}`,
  );
  const height = Number(/<title>height=(\d+)<\/title>/.exec(dom)?.[1]);
  if (!Number.isFinite(height) || height <= 0)
    throw new Error('the page did not report its height: did mermaid fail?');
  const png = at('docs/report-screenshot.png');
  chromium(
    join(work, 'profile-2'),
    `--window-size=${WIDTH},${height}`,
    `--screenshot=${png}`,
    `file://${page}`,
  );
  console.error(`wrote docs/report-screenshot.png (${WIDTH} × ${height})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
