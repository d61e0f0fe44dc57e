import { InputError } from '../../kernel/errors.ts';
import { type OptionNamer, parseBoolean, parseChoice, parseInteger } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';

/** Enough resamples for stable 95% intervals on 200 rows, and the whole demo stays in seconds. */
export const DEFAULT_DEMO_BOOTSTRAP = 1000;
/** Where the demo writes its files, under the working directory. */
export const DEFAULT_DEMO_DIR = '.modelgate/demo';
/** Past this the demo takes minutes, which is not a demo. */
const MAX_DEMO_BOOTSTRAP = 100_000;

/** How the story's progress is shown: a redrawn bar, numbered lines, or whichever fits the output. */
export type DemoProgressMode = 'auto' | 'bar' | 'plain';
const PROGRESS_MODES: readonly DemoProgressMode[] = ['auto', 'bar', 'plain'];

/** Every option of `modelgate demo`. */
export const DEMO_OPTIONS = {
  dir: 'string',
  clean: 'boolean',
  serve: 'boolean',
  bootstrap: 'string',
  progress: 'string',
  verbose: 'boolean',
} as const satisfies OptionTable;

export interface DemoSettings {
  /** Where the demo writes everything, as given (relative to the working directory). */
  readonly dir: string;
  /** Delete that folder first. */
  readonly clean: boolean;
  /** Keep the model server running at the end. */
  readonly serve: boolean;
  /** Bootstrap resamples for every evaluation and comparison. */
  readonly bootstrap: number;
  readonly progress: DemoProgressMode;
  /** Also show what each step logs. */
  readonly verbose: boolean;
}

/**
 * The only reader of the demo's options. The demo runs on the example project with the
 * example's own `.modelgate.yml`, so a config file of the caller's does not apply.
 */
export function demoSettingsFrom(
  raw: RawOptions<typeof DEMO_OPTIONS>,
  config: string | undefined,
  namer: OptionNamer,
): DemoSettings {
  if (config !== undefined) {
    throw new InputError(
      `the demo runs on the example project's own config: ${namer('config')} does not apply`,
    );
  }
  const dir = raw.dir === undefined || raw.dir.trim() === '' ? DEFAULT_DEMO_DIR : raw.dir;
  return {
    dir,
    clean: parseBoolean('clean', raw.clean, namer) ?? false,
    serve: parseBoolean('serve', raw.serve, namer) ?? false,
    bootstrap: parseInteger('bootstrap', raw.bootstrap, DEFAULT_DEMO_BOOTSTRAP, namer, 0, MAX_DEMO_BOOTSTRAP),
    progress: parseChoice('progress', raw.progress, PROGRESS_MODES, namer) ?? 'auto',
    verbose: parseBoolean('verbose', raw.verbose, namer) ?? false,
  };
}
