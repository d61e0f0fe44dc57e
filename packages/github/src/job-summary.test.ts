import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitToBytes, MAX_STEP_SUMMARY_BYTES, writeJobSummary } from './job-summary.ts';

const dir = mkdtempSync(join(tmpdir(), 'modelgate-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function summaryFile(existing = ''): string {
  const path = join(dir, `step-summary-${++files}.md`);
  writeFileSync(path, existing);
  return path;
}

/** A report of `rows` table rows, about 38 bytes each. */
function bigReport(rows: number): string {
  const lines = ['## ✅ modelgate: passed', '', '| slice | accuracy | Δ |', '| --- | --- | --- |'];
  for (let i = 0; i < rows; i++) lines.push(`| region=${String(i).padStart(7, '0')} | 0.9123 | +0.0012 |`);
  return lines.join('\n');
}

describe('writeJobSummary', () => {
  it('appends the report and a newline after what the step summary already holds', async () => {
    const path = summaryFile('### evaluate\n');
    const result = await writeJobSummary('## report', { summaryPath: path });
    expect(readFileSync(path, 'utf8')).toBe('### evaluate\n## report\n');
    expect(result).toEqual({ kind: 'written', path, bytes: 10, truncated: false });
  });

  it('finds the file through GITHUB_STEP_SUMMARY', async () => {
    const path = summaryFile();
    await writeJobSummary('## report', { env: { GITHUB_STEP_SUMMARY: path } });
    expect(readFileSync(path, 'utf8')).toBe('## report\n');
  });

  it('skips, without failing, where there is no step summary (outside Actions)', async () => {
    expect(await writeJobSummary('## report', { env: {} })).toEqual({
      kind: 'skipped',
      reason: 'GITHUB_STEP_SUMMARY is not set (not running in GitHub Actions)',
    });
  });

  it('cuts a 2 MiB report to whole lines under 1 MiB, with a visible note, instead of failing', async () => {
    const path = summaryFile();
    const report = bigReport(60_000);
    expect(Buffer.byteLength(report)).toBeGreaterThan(2 * MAX_STEP_SUMMARY_BYTES);

    const result = await writeJobSummary(report, { summaryPath: path, fullReportAt: 'the `report` output' });

    const written = readFileSync(path, 'utf8');
    expect(statSync(path).size).toBeLessThanOrEqual(MAX_STEP_SUMMARY_BYTES);
    expect(statSync(path).size).toBeGreaterThan(MAX_STEP_SUMMARY_BYTES - 1024);
    expect(result).toMatchObject({ kind: 'written', truncated: true, bytes: statSync(path).size });
    expect(written.startsWith('## ✅ modelgate: passed\n')).toBe(true);
    const [shown, rest] = written.split('\n\n> [!WARNING]\n');
    // What is shown is a prefix of the report, ending on a whole row.
    expect(report.startsWith(shown ?? '')).toBe(true);
    expect(shown?.endsWith(' |')).toBe(true);
    expect(rest).toMatch(
      /^> This report was cut to fit GitHub's 1 MiB job-summary limit: [\d,]+ of [\d,]+ bytes are shown\. The full report is in the `report` output\.\n$/,
    );
  });

  it('counts what earlier steps wrote toward the 1 MiB', async () => {
    const path = summaryFile('x'.repeat(MAX_STEP_SUMMARY_BYTES - 200_000));
    const result = await writeJobSummary(bigReport(10_000), { summaryPath: path });
    expect(result).toMatchObject({ truncated: true });
    expect(statSync(path).size).toBeLessThanOrEqual(MAX_STEP_SUMMARY_BYTES);
  });

  it('skips when an earlier write left no useful room', async () => {
    const path = summaryFile('x'.repeat(MAX_STEP_SUMMARY_BYTES - 100));
    const result = await writeJobSummary('## report', { summaryPath: path });
    expect(result).toMatchObject({ kind: 'skipped' });
    expect(statSync(path).size).toBe(MAX_STEP_SUMMARY_BYTES - 100);
  });
});

describe('fitToBytes', () => {
  it('returns a report that fits unchanged', () => {
    expect(fitToBytes('short', 100)).toEqual({ text: 'short', truncated: false });
  });

  it('closes a code fence and a <details> left open by the cut, so the note renders as a note', () => {
    const report = [
      '<details><summary>slices</summary>',
      '',
      '```mermaid',
      ...Array(400).fill('  bar [1, 2, 3]'),
      '```',
      '</details>',
    ].join('\n');
    const { text, truncated } = fitToBytes(report, 2000);
    expect(truncated).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2000);
    expect(text).toMatch(/ {2}bar \[1, 2, 3\]\n```\n\n<\/details>\n\n> \[!WARNING\]\n> This report was cut/);
  });

  it('never splits a multi-byte character, even in a report of one long line', () => {
    const report = 'Δ'.repeat(5000);
    const { text } = fitToBytes(report, 1001);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1001);
    expect(text).not.toContain('\uFFFD');
    expect(text.startsWith('ΔΔΔ')).toBe(true);
  });
});
