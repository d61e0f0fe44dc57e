import { type MonitorPorts, type MonitorSettings, openRegistry } from '@modelgate/core';
import { actionLogger, optionalInput } from './action.ts';
import { readGitHubContext } from './context.ts';
import { gitHubDriftAlerts } from './drift-issue.ts';
import { createGitHubClient } from './octokit.ts';
import { githubRegistryOpener } from './registry/access.ts';
import { actionRuntimeLoader } from './runtime/index.ts';

/**
 * The monitor action's ports: the Actions log, onnxruntime-node found on the runner (only when
 * a model is scored), the registry (a `github:` one with the job's token), and, with a token, the
 * drift issue and the retrain dispatch in the run's own repository, on the run's own ref.
 */
export function monitorActionPorts(
  settings: MonitorSettings,
  env: NodeJS.ProcessEnv = process.env,
): MonitorPorts {
  const token = optionalInput('github-token');
  const apiUrl = env.GITHUB_API_URL || 'https://api.github.com';
  const github = githubRegistryOpener({ token, apiUrl, logger: actionLogger });
  const ports: MonitorPorts = {
    logger: actionLogger,
    openRegistry: (spec) => openRegistry(spec, { cwd: settings.cwd, what: "input 'registry'", github }),
    ...(settings.model === undefined ? {} : { runtime: actionRuntimeLoader(settings.provider, env) }),
  };
  if (token === undefined || (!settings.issue && settings.dispatchWorkflow === undefined)) return ports;
  const context = readGitHubContext(env);
  const client = createGitHubClient({
    token,
    baseUrl: apiUrl,
    logger: actionLogger,
    userAgent: 'modelgate-monitor',
  });
  const alerts = gitHubDriftAlerts({
    client,
    owner: context.owner,
    repo: context.repo,
    ref: context.ref,
    ...(context.runUrl === undefined ? {} : { reportUrl: context.runUrl }),
  });
  return { ...ports, alerts };
}
