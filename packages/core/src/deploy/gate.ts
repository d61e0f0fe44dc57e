import { shortDigest } from '../kernel/format.ts';
import { ruleBlocks } from '../kernel/records/verdict.ts';
import type { ModelVersion } from '../registry/types.ts';

export interface GateOptions {
  /** Refuse unless the version's verdict passed for its exact digest (CONTRACT.md `require-gate`, default true). */
  readonly requireGate: boolean;
  /** Allow a version older than the one the alias names now. */
  readonly allowDowngrade: boolean;
  /** The version the deploy's alias (e.g. `production`) names now, if any. */
  readonly current: ModelVersion | undefined;
  readonly alias: string;
}

/**
 * Why this version may not be deployed; empty when it may. DESIGN.md: deploy refuses any model
 * whose registered verdict did not pass for that exact sha256. The registry already refuses such
 * registrations, but a record can be edited, or come from a backend that checks less: the deploy
 * trusts nothing it does not check itself.
 */
export function gateRefusals(version: ModelVersion, options: GateOptions): string[] {
  const reasons: string[] = [];
  const what = `${version.name} v${version.version} (sha256 ${shortDigest(version.sha256)})`;
  if (options.requireGate) {
    const { verdict } = version;
    if (verdict === null) {
      reasons.push(`${what} has no verdict in the registry: nothing says it passed its gates`);
    } else {
      if (!verdict.passed) {
        const failed = verdict.rules.filter(ruleBlocks);
        const why =
          failed.length === 0
            ? ''
            : `: ${failed
                .map(
                  (rule) =>
                    `${rule.metric}${rule.slice ? ` [${rule.slice.column}=${rule.slice.value}]` : ''} ${rule.rule} ${rule.status} (${rule.reason})`,
                )
                .join('; ')}`;
        reasons.push(`the verdict of ${what} did not pass${why}`);
      }
      const vouched = verdict.candidate.sha256;
      if (vouched === null) {
        reasons.push(
          `the verdict of ${what} names no model (it gated a predictions file), so it cannot vouch for these bytes`,
        );
      } else if (vouched !== version.sha256) {
        reasons.push(
          `the verdict of ${what} is about another model (sha256 ${shortDigest(vouched)}): it does not vouch for this one`,
        );
      }
    }
    const evaluated = version.evaluation?.model?.sha256;
    if (evaluated !== undefined && evaluated !== version.sha256) {
      reasons.push(`the evaluation of ${what} is of another model (sha256 ${shortDigest(evaluated)})`);
    }
  }
  const current = options.current;
  if (current !== undefined && version.version < current.version && !options.allowDowngrade) {
    reasons.push(
      `${version.name} v${version.version} is older than v${current.version}, which '${options.alias}' names now: a downgrade needs allow-downgrade`,
    );
  }
  return reasons;
}
