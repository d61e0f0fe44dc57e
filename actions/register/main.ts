import { presentRegister, REGISTER_OPTIONS, registerStepSettingsFrom, runRegister } from '@modelgate/core';
import {
  actionLogger,
  actionStep,
  lineageFromContext,
  openActionRegistry,
  readGitHubContext,
} from '@modelgate/github';

/**
 * The step as the runner runs it (the bundle's entry calls `run`): inputs → settings → run →
 * present → outputs; a failure is one `::error::` line.
 */
export const run = actionStep({
  group: (settings) => `Register ${settings.name}`,
  options: REGISTER_OPTIONS,
  settings: registerStepSettingsFrom,
  run: (settings) => {
    const context = readGitHubContext(process.env);
    const registry = openActionRegistry(settings.registry, context, actionLogger);
    actionLogger.info(`registry: ${registry.location}`);
    const lineage = async () => lineageFromContext(context);
    return runRegister(settings, { registry, lineage, cwd: process.cwd(), logger: actionLogger });
  },
  present: presentRegister,
});
