import {
  actionInput,
  type DeploySettings,
  deploySettingsFrom,
  readConfigFile,
  registrySpecFrom,
} from '@modelgate/core';
import { configInput, optionalInput } from './action.ts';

/** The deploy action's settings, validated. */
export interface DeployActionSettings {
  readonly settings: DeploySettings;
  /** `fs:PATH` or `github:OWNER/REPO`. */
  readonly registry: string;
  /** For the Deployments API and a GitHub registry; undefined when the input is empty. */
  readonly token: string | undefined;
}

/**
 * The only place the deploy action reads its inputs. Each input overrides the config file's
 * `deploy:` section (and `model:`, `registry:`), which overrides the defaults.
 */
export async function readDeployInputs(): Promise<DeployActionSettings> {
  const file = await readConfigFile(configInput(), process.cwd(), actionInput);
  const { path: configPath, config } = file;
  const settings = deploySettingsFrom(
    {
      name: optionalInput('name'),
      ref: optionalInput('ref'),
      target: optionalInput('target'),
      url: optionalInput('url'),
      environment: optionalInput('environment'),
      alias: optionalInput('alias'),
      strategy: optionalInput('strategy'),
      'canary-percent': optionalInput('canary-percent'),
      'canary-wait': optionalInput('canary-wait'),
      'smoke-data': optionalInput('smoke-data'),
      'require-gate': optionalInput('require-gate'),
      'allow-downgrade': optionalInput('allow-downgrade'),
      'storage-uri': optionalInput('storage-uri'),
      namespace: optionalInput('namespace'),
      'service-name': optionalInput('service-name'),
      gpus: optionalInput('gpus'),
      manifest: optionalInput('manifest'),
      kubeconfig: optionalInput('kubeconfig'),
      command: optionalInput('command'),
    },
    config,
    configPath,
    actionInput,
  );
  return {
    settings,
    registry: registrySpecFrom(optionalInput('registry'), file),
    token: optionalInput('github-token'),
  };
}
