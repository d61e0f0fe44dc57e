/**
 * The one shape of every step (DESIGN.md, "One step, one shape"). A step lives in
 * `steps/<step>/` with three parts:
 * - `settings.ts`: the step's {@link OptionTable}, and `settingsFrom(raw, config, namer)`, the
 *   only reader of its options (flags or inputs, then its `.modelgate.yml` section, then the
 *   defaults); errors name an option as the caller names it;
 * - `run.ts`: `run(settings, ports)`, returning a discriminated-union outcome; the world comes
 *   in through ports ({@link Logger} and the step's own);
 * - `present.ts`: the outcome as a {@link Presentation}, every number through the kernel's
 *   formatter.
 * The CLI command and the action's `main.ts` are adapters of the same shape: raw values →
 * settings → run → present → exit code or outputs.
 */

/**
 * How an option is given: `string` (one value), `strings` (a flag given again, or an input of
 * lines or commas), or `boolean` (a bare flag on the command line; `true`/`false` as an input).
 */
export type OptionKind = 'string' | 'strings' | 'boolean';

/** A step's options by their caller-facing name (`slice-by`, `batch-size`), kebab-case. */
export type OptionTable = Readonly<Record<string, OptionKind>>;

type RawValue<K extends OptionKind> = K extends 'strings'
  ? string[]
  : K extends 'boolean'
    ? boolean | string
    : string;

/** The raw values of a table as the caller typed them: nothing is checked yet. */
export type RawOptions<T extends OptionTable> = { -readonly [N in keyof T]?: RawValue<T[N]> };

/** One line for the terminal: `out` (stdout) or `err` (stderr: warnings, and the record's second voice). */
export interface TerminalLine {
  readonly stream: 'out' | 'err';
  readonly text: string;
}

/** What a step's outcome says, the same for every caller. */
export interface Presentation {
  /** For the terminal; an action logs them. */
  readonly lines: readonly TerminalLine[];
  /** The job summary, markdown (an action writes it). */
  readonly summary?: string;
  /** Where the whole of a long summary is, for the note when GitHub's 1 MiB limit cuts it. */
  readonly fullReportAt?: string;
  /** The step's outputs, as strings (an action sets them). */
  readonly outputs: Readonly<Record<string, string>>;
  /** CONTRACT.md's exit code: 0 done, 1 the step's "no" (a failed gate, a refused deploy, a failed training). */
  readonly exitCode: 0 | 1;
  /** With exit code 1: the one line an action fails with. */
  readonly failure?: string;
}

export const out = (text: string): TerminalLine => ({ stream: 'out', text });
export const err = (text: string): TerminalLine => ({ stream: 'err', text });
