import { formatCount, shortDigest } from '../kernel/format.ts';
import { code, escapeText } from '../kernel/markdown.ts';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';
import type { McNemarResult, Verdict } from '../kernel/records/verdict.ts';

/** Where the candidate came from: what CI knows and the records do not. */
export interface Provenance {
  /** The commit the candidate was built from. */
  commit?: string;
  /** The git ref, e.g. `refs/pull/12/merge`. */
  ref?: string;
  /** The workflow run's page. */
  runUrl?: string;
  /** The pull request number. */
  pr?: number;
  /** What the baseline was resolved from, e.g. `registry:production`, when the verdict does not say. */
  baselineRef?: string;
}

// How a record's notes announce a provider fallback (inference/model.ts): these belong on the
// provider line, where a reader looks for them, not among the other notes.
const PROVIDER_NOTE = /\bcuda\b|fell back|fallback/i;

/**
 * The provenance list: digests of both models and datasets, the commit and run, the execution
 * provider, the evaluation's settings, the McNemar cross-check, and the notes of the records
 * and the verdict. `withNotes: false` leaves the free-text notes out (the size guard does).
 */
export function renderProvenance(
  verdict: Verdict,
  candidate: EvaluationRecord,
  baseline: EvaluationRecord | null,
  provenance: Provenance,
  withNotes = true,
): string {
  const lines: string[] = [];
  lines.push(`- **Candidate:** ${describeModel(candidate, verdict.candidate.sha256)}`);
  if (verdict.baseline === null && baseline === null) {
    lines.push('- **Baseline:** none (the first model: change rules were skipped)');
  } else {
    const ref = verdict.baseline?.ref ?? provenance.baselineRef;
    const refText = ref !== undefined && ref !== null && ref !== '' ? `${code(ref)}, ` : '';
    const model =
      baseline !== null
        ? describeModel(baseline, verdict.baseline?.sha256 ?? null)
        : describeDigest(verdict.baseline?.sha256 ?? null);
    lines.push(`- **Baseline:** ${refText}${model}`);
  }
  lines.push(
    `- **Data:** ${describeData(candidate)}${baseline === null ? '' : `; baseline: ${compareData(candidate, baseline)}`}`,
  );
  const source = describeSource(provenance);
  if (source !== '') lines.push(`- **Source:** ${source}`);
  lines.push(`- **Provider:** ${describeProvider(candidate, baseline)}`);
  lines.push(`- **Bootstrap:** ${describeBootstrap(candidate)}`);
  if (verdict.mcnemar !== undefined)
    lines.push(`- **McNemar cross-check:** ${describeMcNemar(verdict.mcnemar)}`);
  if (withNotes) {
    const notes = [
      ...candidate.notes.filter((note) => !PROVIDER_NOTE.test(note)).map((note) => `candidate: ${note}`),
      ...(baseline?.notes ?? [])
        .filter((note) => !PROVIDER_NOTE.test(note))
        .map((note) => `baseline: ${note}`),
      ...verdict.notes.map((note) => `verdict: ${note}`),
    ];
    if (notes.length > 0)
      lines.push(`- **Notes:**\n${notes.map((note) => `  - ${escapeText(note)}`).join('\n')}`);
  }
  lines.push(`- **Tool:** modelgate ${escapeText(candidate.tool.version)}`);
  return lines.join('\n');
}

/** "exact McNemar p = 0.003 on 41 vs 18 discordant rows" */
export function describeMcNemar(result: McNemarResult): string {
  return `exact McNemar p ${formatP(result.p_value)} on ${formatCount(result.candidate_only)} vs ${formatCount(
    result.baseline_only,
  )} discordant rows (right only with the candidate vs only with the baseline), a check of the paired bootstrap on accuracy`;
}

function formatP(p: number): string {
  if (p < 1e-4) return '< 0.0001';
  return `= ${Number(p.toPrecision(2))}`;
}

function describeModel(record: EvaluationRecord, verdictDigest: string | null): string {
  const model = record.model;
  if (model === undefined) {
    const file = record.data.predictions ?? record.data.path;
    return `predictions file ${code(file)} (no model was run)`;
  }
  const transform =
    model.transform === 'softmax' || model.transform === 'sigmoid'
      ? `, logits through ${model.transform}`
      : '';
  return `${code(model.path)}, ${describeDigest(verdictDigest ?? model.sha256)}, ${formatCount(model.bytes)} bytes, output ${code(model.output)}${transform}`;
}

function describeDigest(sha256: string | null): string {
  return `sha256 ${code(shortDigest(sha256))}`;
}

function describeData(record: EvaluationRecord): string {
  const classes =
    record.data.classes !== undefined ? `, classes ${record.data.classes.map(code).join(' ')}` : '';
  return `${code(record.data.path)}, sha256 ${code(shortDigest(record.data.sha256))}, ${formatCount(record.data.rows)} rows, label ${code(record.data.label)}${classes}`;
}

function compareData(candidate: EvaluationRecord, baseline: EvaluationRecord): string {
  if (baseline.data.sha256 === candidate.data.sha256) return 'the same file (same sha256)';
  return `⚠️ a different file: ${describeData(baseline)}`;
}

function describeSource(provenance: Provenance): string {
  const parts: string[] = [];
  if (provenance.commit !== undefined && provenance.commit !== '') {
    const sha = /^[0-9a-f]{40}$/i.test(provenance.commit) ? provenance.commit.slice(0, 7) : provenance.commit;
    parts.push(`commit ${code(sha)}`);
  }
  if (provenance.ref !== undefined && provenance.ref !== '') parts.push(`ref ${code(provenance.ref)}`);
  if (provenance.pr !== undefined) parts.push(`PR #${provenance.pr}`);
  if (provenance.runUrl !== undefined && provenance.runUrl !== '')
    parts.push(link('workflow run', provenance.runUrl));
  return parts.join(', ');
}

function describeProvider(candidate: EvaluationRecord, baseline: EvaluationRecord | null): string {
  const name = (record: EvaluationRecord) =>
    record.provider === 'cuda' ? 'CUDA' : record.provider === 'cpu' ? 'CPU' : 'none (predictions file)';
  let text = `${name(candidate)} (candidate)`;
  if (baseline !== null) text += `, ${name(baseline)} (baseline)`;
  const fallbacks = [
    ...candidate.notes.filter((note) => PROVIDER_NOTE.test(note)).map((note) => `candidate: ${note}`),
    ...(baseline?.notes ?? []).filter((note) => PROVIDER_NOTE.test(note)).map((note) => `baseline: ${note}`),
  ];
  return fallbacks.length === 0 ? text : `${text}. ⚠️ ${fallbacks.map(escapeText).join('; ')}`;
}

function describeBootstrap(record: EvaluationRecord): string {
  const { resamples, confidence, seed } = record.bootstrap;
  if (resamples === 0) return 'off (no confidence intervals)';
  return `${formatCount(resamples)} resamples, ${percent(confidence)} intervals, seed ${seed}`;
}

/** 0.95 → 95%, 0.975 → 97.5%. */
export function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))}%`;
}

/**
 * A markdown link to an http(s) URL, or the URL as code when it is anything else: a
 * `javascript:` link in a comment would be stripped by GitHub anyway, and a misleading one worse.
 */
export function link(text: string, url: string): string {
  if (!/^https?:\/\/[^\s<>]+$/i.test(url)) return code(url);
  return `[${escapeText(text)}](<${url}>)`;
}
