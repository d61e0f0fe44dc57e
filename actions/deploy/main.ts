import * as core from '@actions/core';
import { deploy, describeOutcome, openRegistry, openTarget } from '@modelgate/core';
import {
  actionLogger,
  actionRuntimeLoader,
  createGitHubClient,
  deploySummary,
  githubDeploymentRecorder,
  githubRegistryOpener,
  readDeployInputs,
  readGitHubContext,
  runAction,
} from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: read the inputs, do the work, set the outputs; failures become one `::error::`.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const { settings, registry: spec, token } = await readDeployInputs();
    const context = readGitHubContext(process.env);
    const registry = openRegistry(spec, {
      cwd: process.cwd(),
      what: "input 'registry'",
      github: githubRegistryOpener({ token, apiUrl: context.apiUrl, logger: actionLogger }),
    });
    const target = await openTarget(settings, { cwd: process.cwd(), env: process.env, logger: actionLogger });
    const recorder =
      token === undefined
        ? undefined
        : githubDeploymentRecorder({
            client: createGitHubClient({ token, baseUrl: context.apiUrl, logger: actionLogger }),
            owner: context.owner,
            repo: context.repo,
            ref: context.sha,
            logUrl: context.runUrl,
            logger: actionLogger,
          });
    if (recorder === undefined)
      core.warning('no github-token: the deploy is not recorded as a GitHub Deployment');
    // The smoke check scores a few rows on CPU: no GPU is worth starting for them.
    const runtime = actionRuntimeLoader('cpu');

    const outcome = await core.group(`Deploy ${settings.request.name}@${settings.request.ref}`, () =>
      deploy(settings.request, {
        registry,
        target,
        runtime,
        logger: actionLogger,
        ...(recorder ? { recorder } : {}),
      }),
    );

    const { headline, details } = describeOutcome(outcome);
    for (const line of details) core.info(line);
    await core.summary.addRaw(deploySummary(outcome, settings.request.environment)).write();
    core.setOutput('deployed', String(outcome.kind === 'deployed'));
    core.setOutput('version', outcome.version === undefined ? '' : String(outcome.version.version));
    core.setOutput('deployment-id', 'deploymentId' in outcome ? (outcome.deploymentId ?? '') : '');
    core.setOutput('url', outcome.kind === 'deployed' ? (outcome.url ?? '') : '');
    core.setOutput('manifest', outcome.kind === 'rendered' ? outcome.artifact : '');
    if (outcome.kind === 'refused' || outcome.kind === 'rolled-back') {
      core.setFailed(headline);
      return;
    }
    if (outcome.kind === 'rendered') core.warning(headline);
    else core.info(headline);
  });
}
