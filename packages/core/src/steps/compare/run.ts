import { type CompareSource, compare } from '../../compare/compare.ts';
import type { RuntimeLoader } from '../../inference/runtime.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../kernel/fs.ts';
import type { Logger } from '../../kernel/ports.ts';
import type { Verdict } from '../../kernel/records/verdict.ts';
import type { RegistryBaselineRef } from '../../registry/baseline.ts';
import type { Registry } from '../../registry/types.ts';
import type { ReportInput } from '../../report/report.ts';
import type { CompareBaseline, CompareStepSettings } from './settings.ts';

/** What became of the sticky PR comment. A token that may not comment is an outcome, not an error. */
export type CommentOutcome =
  | { readonly kind: 'commented'; readonly url: string; readonly created: boolean }
  | { readonly kind: 'not-a-pull-request' }
  | { readonly kind: 'comment-disabled' }
  | { readonly kind: 'no-permission'; readonly message: string }
  /** GitHub kept failing (5xx, a rate limit) or the post broke: a warning, never the step's result. */
  | { readonly kind: 'comment-failed'; readonly message: string };

/** Posts or updates the one report comment of a model on the pull request (the action's GitHub side). */
export interface ReportCommentPort {
  post(report: string, options: { name: string; comment: boolean | undefined }): Promise<CommentOutcome>;
}

export interface ComparePorts {
  readonly logger: Logger;
  /** Opens the registry a `registry:` baseline names, with the caller's GitHub access. */
  readonly openRegistry: (spec: string, what: string) => Registry | Promise<Registry>;
  /** The sticky PR comment; without it (the CLI) there is none. */
  readonly comment?: ReportCommentPort;
  /** How to load onnxruntime-node for the paired mode (an action's tool cache); the default imports it. */
  readonly runtime?: RuntimeLoader;
  /** Where the run happened (commit, ref, run link, PR), for the report. */
  readonly provenance?: ReportInput['provenance'];
  /** The link the report points to for the full job summary. */
  readonly summaryUrl?: string;
}

/** The gate's decision, written: `passed` or `failed`, with the verdict, the report and where they went. */
export type CompareOutcome = {
  readonly kind: 'passed' | 'failed';
  readonly name: string;
  readonly verdict: Verdict;
  readonly report: string;
  readonly out: string | undefined;
  readonly reportPath: string | undefined;
  readonly failOnRegression: boolean;
  /** Undefined where there is no comment port (the CLI). */
  readonly comment?: CommentOutcome;
};

/**
 * Gates the candidate against its baseline, then writes the verdict and the report, and only then
 * posts the comment: whatever GitHub does after, the decision is on disk and in the outcome.
 */
export async function runCompare(
  settings: CompareStepSettings,
  ports: ComparePorts,
): Promise<CompareOutcome> {
  const baseline = await openBaseline(settings.baseline, settings.name, ports);
  const source: CompareSource =
    settings.mode.kind === 'records'
      ? { mode: 'records', candidate: settings.mode.candidate, baseline }
      : { mode: 'paired', evaluate: settings.mode.evaluate, baselineModel: baseline };
  const result = await compare(
    {
      name: settings.name,
      spec: settings.spec,
      source,
      baselineRef: settings.baselineRef,
      ...(ports.provenance === undefined ? {} : { provenance: ports.provenance }),
      ...(ports.summaryUrl === undefined ? {} : { summaryUrl: ports.summaryUrl }),
      ...(ports.runtime === undefined ? {} : { runtime: ports.runtime }),
    },
    ports.logger,
  );
  if (settings.out !== undefined) await writeJsonAtomic(settings.out, result.verdict);
  if (settings.report !== undefined) await writeFileAtomic(settings.report, result.report);
  const outcome: CompareOutcome = {
    kind: result.verdict.passed ? 'passed' : 'failed',
    name: settings.name,
    verdict: result.verdict,
    report: result.report,
    out: settings.out,
    reportPath: settings.report,
    failOnRegression: settings.failOnRegression,
  };
  if (ports.comment === undefined) return outcome;
  return { ...outcome, comment: await postComment(ports.comment, result.report, settings, ports.logger) };
}

/** The baseline as the compare engine takes it: a path, a registry version to look up, or none. */
async function openBaseline(
  baseline: CompareBaseline,
  name: string,
  ports: ComparePorts,
): Promise<string | RegistryBaselineRef | null> {
  if (baseline.kind === 'none') return null;
  if (baseline.kind === 'path') return baseline.path;
  return { registry: await ports.openRegistry(baseline.registry, baseline.what), name, ref: baseline.ref };
}

/** The comment, where a failure of any kind is a warning: the gate's result stands. */
async function postComment(
  port: ReportCommentPort,
  report: string,
  settings: CompareStepSettings,
  logger: Logger,
): Promise<CommentOutcome> {
  try {
    return await port.post(report, { name: settings.name, comment: settings.comment });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warning(
      `could not post the report comment: ${message}; the gate's result stands, and the report is in the job summary`,
    );
    return { kind: 'comment-failed', message };
  }
}
