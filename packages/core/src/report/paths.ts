/**
 * Paths as a reviewer of the PR can use them: relative to the workspace (the repository root on
 * a runner). An absolute path of the machine that ran the compare means nothing to them, and
 * says more about that machine than a report should.
 */
import { basename, isAbsolute, relative } from 'node:path';
import type { EvaluationRecord } from '../kernel/records/evaluation.ts';

/**
 * `path` relative to `workspace` when it lies inside it; the file name alone when it lies outside
 * (a temporary copy, a download); a relative path as it is.
 */
export function workspacePath(path: string, workspace: string): string {
  if (!isAbsolute(path)) return path;
  const inside = relative(workspace, path);
  if (inside === '') return '.';
  return inside.startsWith('..') || isAbsolute(inside) ? basename(path) : inside;
}

/** The record with its model, data and predictions paths made workspace-relative, for display only. */
export function withWorkspacePaths(record: EvaluationRecord, workspace: string): EvaluationRecord {
  const data = { ...record.data, path: workspacePath(record.data.path, workspace) };
  if (record.data.predictions !== undefined)
    data.predictions = workspacePath(record.data.predictions, workspace);
  return {
    ...record,
    data,
    ...(record.model === undefined
      ? {}
      : { model: { ...record.model, path: workspacePath(record.model.path, workspace) } }),
  };
}
