import * as core from '@actions/core';
import type { OptionTable, Presentation, RawOptions } from '@modelgate/core';
import { listInput, optionalInput } from './action.ts';
import { writeJobSummary } from './job-summary.ts';

/**
 * A step's inputs by its option table: the runner passes '' for an input left out, which reads
 * as absent; a `strings` input takes lines or commas; a `boolean` stays text, for the step's
 * settings to check and name.
 */
export function readInputs<T extends OptionTable>(table: T): RawOptions<T> {
  const raw: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(table)) {
    const value = kind === 'strings' ? listInput(name) : optionalInput(name);
    if (value !== undefined) raw[name] = value;
  }
  return raw as RawOptions<T>;
}

/**
 * A step's presentation in the job: its lines in the log, its summary in the job summary, its
 * outputs set, and its "no" (exit code 1) as the one line the step fails with.
 */
export async function publish(presentation: Presentation): Promise<void> {
  for (const line of presentation.lines) core.info(line.text);
  // Outputs first: a summary that cannot be written must not cost the next step its inputs.
  for (const [name, value] of Object.entries(presentation.outputs)) core.setOutput(name, value);
  if (presentation.summary !== undefined) {
    const written = await writeJobSummary(presentation.summary, { fullReportAt: presentation.fullReportAt });
    if (written.kind === 'skipped') core.debug(`no job summary: ${written.reason}`);
  }
  if (presentation.exitCode !== 0) core.setFailed(presentation.failure ?? 'the step failed');
}
