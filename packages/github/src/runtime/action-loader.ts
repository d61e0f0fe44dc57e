import type { Provider, RuntimeLoader } from '@modelgate/core';
import { actionLogger, optionalInput } from '../action.ts';
import type { GivenPath } from './given-path.ts';
import { onnxRuntimeLoader } from './loader.ts';

/** The environment variable an air-gapped runner's image sets to its onnxruntime-node install. */
export const ONNXRUNTIME_PATH_VARIABLE = 'MODELGATE_ONNXRUNTIME_PATH';

/**
 * The runtime loader of an action that scores a model, from its `onnxruntime-path` input (which
 * wins, being the more specific) or MODELGATE_ONNXRUNTIME_PATH, and the runner's environment.
 * The only place an action reads them.
 */
export function actionRuntimeLoader(provider: Provider, env: NodeJS.ProcessEnv = process.env): RuntimeLoader {
  const input = optionalInput('onnxruntime-path');
  const variable = env[ONNXRUNTIME_PATH_VARIABLE]?.trim();
  const given: GivenPath | undefined =
    input !== undefined
      ? { path: input, what: "input 'onnxruntime-path'" }
      : variable
        ? { path: variable, what: ONNXRUNTIME_PATH_VARIABLE }
        : undefined;
  return onnxRuntimeLoader({
    provider,
    ...(given === undefined ? {} : { given }),
    env,
    cwd: process.cwd(),
    logger: actionLogger,
  });
}
