import * as core from '@actions/core';
import {
  actionInput,
  presentRegister,
  REGISTER_OPTIONS,
  readConfigFile,
  registerStepSettingsFrom,
  runRegister,
} from '@modelgate/core';
import {
  actionLogger,
  configInput,
  lineageFromContext,
  openActionRegistry,
  publish,
  readGitHubContext,
  readInputs,
  runAction,
} from '@modelgate/github';

/**
 * The step, as the runner runs it (the bundle's entry calls it) and as @github/local-action
 * drives it: inputs → settings → run → present → outputs; a failure is one `::error::` line.
 */
export async function run(): Promise<void> {
  await runAction(async () => {
    const config = await readConfigFile(configInput(), process.cwd(), actionInput);
    const settings = registerStepSettingsFrom(readInputs(REGISTER_OPTIONS), config, actionInput);
    const context = readGitHubContext(process.env);
    const registry = openActionRegistry(settings.registry, context, actionLogger);
    const outcome = await core.group(`Register ${settings.name} in ${registry.location}`, () =>
      runRegister(settings, {
        registry,
        lineage: async () => lineageFromContext(context),
        cwd: process.cwd(),
        logger: actionLogger,
      }),
    );
    await publish(presentRegister(outcome));
  });
}
