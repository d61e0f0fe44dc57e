import { appendFile, stat } from 'node:fs/promises';

/**
 * GitHub refuses a step summary over 1 MiB: the summary is replaced by an error and the
 * report is lost. The limit covers the whole file, so earlier writes in the step count.
 */
export const MAX_STEP_SUMMARY_BYTES = 1024 * 1024;

// Below this there is no room for a useful piece of the report.
const MIN_USEFUL_BYTES = 1024;

/** Where the summary goes, and what to tell a reader of a truncated one. */
export interface JobSummaryOptions {
  /** The summary file; defaults to `GITHUB_STEP_SUMMARY` from `env`. */
  summaryPath?: string;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where the full report is, for the truncation note, e.g. "the `report` output (modelgate-report.md)". */
  fullReportAt?: string;
}

/** What became of the summary. Outside Actions there is no summary file, and that is not an error. */
export type JobSummaryResult =
  | { kind: 'written'; path: string; bytes: number; truncated: boolean }
  | { kind: 'skipped'; reason: string };

/**
 * Appends a markdown report to the step's job summary, cut to fit GitHub's 1 MiB limit with a
 * visible note rather than failing the step.
 *
 * It appends to the file as `core.summary.write()` does, but takes the path as an argument:
 * `core.summary` is a singleton that keeps the first path it sees.
 */
export async function writeJobSummary(
  markdown: string,
  options: JobSummaryOptions = {},
): Promise<JobSummaryResult> {
  const path = options.summaryPath ?? (options.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (path === undefined || path === '') {
    return { kind: 'skipped', reason: 'GITHUB_STEP_SUMMARY is not set (not running in GitHub Actions)' };
  }
  const existing = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  const room = MAX_STEP_SUMMARY_BYTES - existing;
  if (room < MIN_USEFUL_BYTES) {
    return {
      kind: 'skipped',
      reason: `the step summary ${path} already holds ${existing} bytes of GitHub's ${MAX_STEP_SUMMARY_BYTES} limit`,
    };
  }
  // The trailing newline keeps a later append from running into the report's last line.
  const fitted = fitToBytes(markdown, room - 1, options.fullReportAt);
  const text = `${fitted.text}\n`;
  await appendFile(path, text, 'utf8');
  return { kind: 'written', path, bytes: Buffer.byteLength(text), truncated: fitted.truncated };
}

/**
 * The markdown itself when it fits in `maxBytes` of UTF-8, else its longest prefix of whole lines
 * that fits with a note saying it was cut. A code fence or `<details>` left open by the cut is
 * closed, so the note renders as a note and not as code.
 */
export function fitToBytes(
  markdown: string,
  maxBytes: number,
  fullReportAt?: string,
): { text: string; truncated: boolean } {
  const bytes = Buffer.from(markdown, 'utf8');
  if (bytes.length <= maxBytes) return { text: markdown, truncated: false };

  let keep = maxBytes;
  for (;;) {
    const head = wholeLines(bytes, keep);
    const shown = Buffer.byteLength(head);
    const note = [
      '',
      '> [!WARNING]',
      `> This report was cut to fit GitHub's 1 MiB job-summary limit: ${shown.toLocaleString('en-US')} of ${bytes.length.toLocaleString('en-US')} bytes are shown.${
        fullReportAt === undefined ? '' : ` The full report is in ${fullReportAt}.`
      }`,
    ].join('\n');
    const text = `${head}${closers(head)}\n${note}`;
    const over = Buffer.byteLength(text) - maxBytes;
    if (over <= 0) return { text, truncated: true };
    keep -= over;
    if (keep <= 0) return { text: note.trim(), truncated: true };
  }
}

/** The longest prefix of `bytes` up to `limit` that ends at a line break (or a character boundary). */
function wholeLines(bytes: Buffer, limit: number): string {
  const newline = bytes.lastIndexOf(0x0a, limit - 1);
  if (newline > 0) return bytes.subarray(0, newline).toString('utf8');
  let end = limit;
  // Step back off UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

function closers(head: string): string {
  let text = '';
  const fences = head.match(/^ {0,3}(```|~~~)/gm) ?? [];
  if (fences.length % 2 === 1) text += `\n${fences[fences.length - 1]?.trim()}`;
  const open = (head.match(/<details\b/gi) ?? []).length - (head.match(/<\/details>/gi) ?? []).length;
  for (let i = 0; i < open; i++) text += '\n\n</details>';
  return text;
}
