import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { InputError } from '../kernel/errors.ts';
import type { Lineage } from './types.ts';

/**
 * Where a new version comes from, as its environment tells it (commit, ref, run URL, PR): a
 * port, so that register reads no environment itself. The actions pass the GitHub run's; the
 * CLI the run's when it runs in one, else {@link gitLineage}.
 */
export type LineageSource = () => Promise<Partial<Lineage>>;

/** The commit and ref git reports for `cwd`; nothing when it is not a repository (or has no commit). */
export function gitLineage(cwd: string): LineageSource {
  const git = (...args: string[]) => {
    try {
      const out = execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return out.trim() === '' ? null : out.trim();
    } catch {
      return null;
    }
  };
  return async () => {
    const commit = git('rev-parse', '--verify', '-q', 'HEAD');
    if (commit === null) return {};
    return { commit, ref: git('symbolic-ref', '-q', 'HEAD') };
  };
}

/**
 * Where a version came from, in a few words (`commit 0123456789ab`, `ref refs/heads/main`, `PR #7`,
 * `parent v2`), the commit cut to `digits`.
 */
export function lineageWords(lineage: Lineage, digits = 12): string[] {
  return [
    lineage.commit === null ? undefined : `commit ${lineage.commit.slice(0, digits)}`,
    lineage.ref === null ? undefined : `ref ${lineage.ref}`,
    lineage.pr === null ? undefined : `PR #${lineage.pr}`,
    lineage.parent_version === null ? undefined : `parent v${lineage.parent_version}`,
  ].filter((part) => part !== undefined);
}

/**
 * A lineage map (training params, training telemetry) given as YAML/JSON text, or as the path of
 * a YAML/JSON file: `{lr: 0.01}` inline, or `params.json` that the train step wrote.
 */
export async function parseLineageMap(
  text: string,
  what: string,
  cwd: string,
): Promise<Record<string, unknown>> {
  const inline = parseMap(text);
  if (inline !== undefined) return inline;
  const path = isAbsolute(text) ? text : resolve(cwd, text);
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${what} is neither a YAML/JSON mapping nor a file that can be read: ${text}`, {
      cause: error,
      hint: `give it inline, e.g. '{"lr": 0.01}', or the path of a JSON file`,
    });
  }
  const fromFile = parseMap(content);
  if (fromFile === undefined) throw new InputError(`${what} file ${path} does not hold a YAML/JSON mapping`);
  return fromFile;
}

function parseMap(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
