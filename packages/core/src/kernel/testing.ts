/** Shared by tests across the package: scratch folders, and a logger that keeps what it was told. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { InputError } from './errors.ts';
import type { Logger } from './ports.ts';

/** A temporary folder, removed after the test file. */
export function scratch(prefix = 'modelgate-train-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface RecordingLogger extends Logger {
  readonly lines: string[];
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    text: () => lines.join('\n'),
  };
}

/** The message of the InputError `fn` throws; fails the test when it throws nothing, or anything else. */
export function inputErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}
