import * as core from '@actions/core';
import { DEFAULT_CONFIG_FILE, InputError, type Logger } from '@modelgate/core';

/** The logic's Logger, on the Actions log. */
export const actionLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
};

/**
 * Runs an action's body with the one failure policy of every entry point: a user error
 * becomes a clear failed step; anything else (a thrown string included) is reported as a bug.
 * core.setFailed only sets the exit code, so nothing runs after it.
 */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof InputError) {
      core.setFailed(error.hint === undefined ? error.message : `${error.message}\nhint: ${error.hint}`);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.stack !== undefined) core.debug(error.stack);
    core.setFailed(`modelgate internal error (a bug, please report it with the debug log): ${message}`);
  }
}

/** An input, or undefined when it is empty (the Actions runner passes '' for unset inputs). */
export function optionalInput(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

/** A multi-value input: newline- or comma-separated. */
export function listInput(name: string): string[] | undefined {
  const value = optionalInput(name);
  if (value === undefined) return undefined;
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The `config` input, with action.yml's default standing for "the default file, if any". */
export function configInput(): string | undefined {
  const given = optionalInput('config');
  return given === DEFAULT_CONFIG_FILE ? undefined : given;
}
