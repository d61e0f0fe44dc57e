import * as core from '@actions/core';
import { openRegistry, prepareRegistration } from '@modelgate/core';
import {
  actionLogger,
  githubRegistryOpener,
  lineageFromContext,
  readGitHubContext,
  readRegisterInputs,
  runAction,
} from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: read the inputs, do the work, set the outputs; failures become one `::error::`.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const settings = await readRegisterInputs();
    const context = readGitHubContext(process.env);
    const registry = openRegistry(settings.registry, {
      cwd: process.cwd(),
      what: "input 'registry'",
      github: githubRegistryOpener({ token: settings.token, apiUrl: context.apiUrl, logger: actionLogger }),
    });
    if (settings.registry.startsWith('fs:') && context.runnerEnvironment === 'github-hosted') {
      core.warning(
        `the registry ${settings.registry} is a folder on this runner, and a GitHub-hosted runner's disk is wiped when the job ends; use 'registry: github:${context.owner}/${context.repo}' to keep versions across runs`,
      );
    }
    const request = {
      ...settings.request,
      lineage: { ...lineageFromContext(context), ...settings.request.lineage },
    };
    // The same checks register makes, run first so that a refusal names the files it was given.
    await prepareRegistration(request, settings.sources);

    const version = await core.group(`Register ${request.name} in ${registry.location}`, () =>
      registry.register(request),
    );
    const moved = request.alias !== undefined && version.aliases.includes(request.alias);
    if (request.alias !== undefined && !moved) {
      core.warning(
        `alias '${request.alias}' stays where it is: a concurrent register moved it to a newer version than v${version.version} first, and aliases only move forward (input 'allow-downgrade: true' moves it back)`,
      );
    }
    const alias = moved ? `; ${request.alias} → v${version.version}` : '';
    core.info(`registered ${version.name} v${version.version} (sha256 ${version.sha256})${alias}`);
    await core.summary
      .addRaw(
        `### modelgate: registered ${version.name} v${version.version}\n\n` +
          `- sha256 \`${version.sha256}\`, ${version.bytes} bytes\n` +
          `- aliases: ${version.aliases.length === 0 ? 'none' : version.aliases.map((a) => `\`${a}\``).join(', ')}\n` +
          `- registry: \`${registry.location}\`, ${version.url}\n`,
      )
      .write();
    core.setOutput('version', String(version.version));
    core.setOutput('sha256', version.sha256);
    core.setOutput('url', version.url);
  });
}
