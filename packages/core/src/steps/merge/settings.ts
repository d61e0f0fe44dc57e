import { InputError } from '../../kernel/errors.ts';
import type { OptionNamer } from '../../kernel/options.ts';
import type { OptionTable, RawOptions } from '../../kernel/step.ts';

/** Every option of `modelgate merge` and the merge action (the CLI also takes the parts as arguments). */
export const MERGE_OPTIONS = {
  parts: 'strings',
  out: 'string',
} as const satisfies OptionTable;

export interface MergeSettings {
  /** Part files, or folders whose .json files (at any depth) are parts. */
  readonly parts: readonly string[];
  /** Where the merged record goes; without it the CLI prints the record on stdout. */
  readonly out: string | undefined;
}

/** The only reader of merge's options: the parts (one or more) and where the record goes. */
export function mergeSettingsFrom(raw: RawOptions<typeof MERGE_OPTIONS>, namer: OptionNamer): MergeSettings {
  const parts = (raw.parts ?? []).flatMap((entry) => entry.split(/\r?\n/)).map((p) => p.trim());
  const given = parts.filter((p) => p !== '');
  if (given.length === 0) {
    throw new InputError(`${namer('parts')} is required: the part records that evaluate --shard K/N wrote`, {
      hint: 'give every part file, or the folder they were downloaded to',
    });
  }
  const out = raw.out?.trim();
  return { parts: given, out: out === undefined || out === '' ? undefined : out };
}
