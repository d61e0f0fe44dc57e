/** Where a command writes. The bin wires these to the process; tests capture them. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Exit codes of CONTRACT.md. */
export const ExitCode = {
  Ok: 0,
  /** compare: the gate failed; deploy: refused or rolled back. */
  GateFailed: 1,
  /** Bad input or usage. */
  BadInput: 2,
  /** An internal error: a bug. */
  Internal: 70,
} as const;
