import * as core from '@actions/core';
import { compare, loadGateSpec, ruleBlocks, writeFileAtomic, writeJsonAtomic } from '@modelgate/core';
import {
  actionLogger,
  actionRuntimeLoader,
  publishReport,
  readCompareInputs,
  readGitHubContext,
  runAction,
} from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: read the inputs, do the work, set the outputs; failures become one `::error::`.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const settings = await readCompareInputs();
    const context = readGitHubContext(process.env);
    const spec = await loadGateSpec(settings.gatesPath);
    if (settings.registry?.startsWith('fs:') && context.runnerEnvironment === 'github-hosted') {
      core.warning(
        `the baseline comes from the registry ${settings.registry}, a folder on this runner: a GitHub-hosted runner starts empty, so it only holds what this job registered; use 'registry: github:${context.owner}/${context.repo}' to compare with the versions registered by earlier runs`,
      );
    }

    // Records mode scores nothing, and the loader only searches when a model is scored.
    const runtime = actionRuntimeLoader(
      settings.source.mode === 'paired' ? settings.source.evaluate.provider : 'cpu',
    );

    const result = await core.group('Compare', () =>
      compare(
        {
          name: settings.name,
          spec,
          source: settings.source,
          baselineRef: settings.baselineRef,
          provenance: {
            commit: context.sha,
            ref: context.ref,
            runUrl: context.runUrl,
            pr: context.pullRequest?.number,
          },
          ...(context.runUrl === undefined ? {} : { summaryUrl: context.runUrl }),
          runtime,
        },
        actionLogger,
      ),
    );
    // The decision first: the verdict, the report and the outputs are written before any call
    // to GitHub, so a comment that cannot be posted never loses them.
    await writeJsonAtomic(settings.verdictPath, result.verdict);
    await writeFileAtomic(settings.reportPath, result.report);
    core.setOutput('passed', String(result.verdict.passed));
    core.setOutput('verdict', settings.verdictPath);
    core.setOutput('report', settings.reportPath);
    core.setOutput('comment-url', '');
    // setFailed only sets the exit code: the report is still published below.
    if (!result.verdict.passed && settings.failOnRegression) {
      const failed = result.verdict.rules.filter(ruleBlocks);
      core.setFailed(
        `${settings.name} fails its gates: ${failed.map((r) => `${r.metric} ${r.rule} (${r.reason})`).join('; ')}`,
      );
    }

    // The job summary, then the PR comment; a comment GitHub keeps refusing is a warning.
    const publication = await publishReport(result.report, { ...settings, context, logger: actionLogger });
    if (publication.kind === 'commented') core.setOutput('comment-url', publication.url);
  });
}
