import { resolve } from 'node:path';
import type { Logger } from '../../kernel/ports.ts';
import { readEvaluationRecord } from '../../kernel/records/read.ts';
import { type LineageSource, parseLineageMap } from '../../registry/lineage.ts';
import { prepareRegistration } from '../../registry/prepare.ts';
import type { Lineage, ModelVersion, RegisterRequest, Registry } from '../../registry/types.ts';
import { readVerdictRecord } from '../../registry/verdict-file.ts';
import type { LineageText, RegisterStepSettings } from './settings.ts';

/** What a register may touch: the registry, the environment's lineage, the files under `cwd`, the log. */
export interface RegisterPorts {
  /** The registry the settings name, opened by the caller (a `github:` one needs its token). */
  readonly registry: Registry;
  /** Where the version comes from: the GitHub run, or git in the working directory. */
  readonly lineage: LineageSource;
  /** What the settings' relative paths are relative to. */
  readonly cwd: string;
  /** Warnings (an alias that stayed where a concurrent register put it). */
  readonly logger: Logger;
}

/** The alias a register was asked to move: moved, or left on the newer version another register moved it to. */
export type AliasOutcome =
  | { readonly name: string; readonly moved: true }
  | { readonly name: string; readonly moved: false; readonly stays: number | undefined };

/** A version stored: there is no other outcome, as every refusal is an InputError (exit 2). */
export type RegisterOutcome = {
  readonly kind: 'registered';
  readonly version: ModelVersion;
  /** The registry, as `fs:PATH` or `github:OWNER/REPO`. */
  readonly location: string;
  readonly alias: AliasOutcome | undefined;
  readonly json: boolean;
};

/**
 * Registers the model with its records and lineage. Every check comes before the first write,
 * naming the files as they were given: a refused register leaves the registry as it was.
 */
export async function runRegister(
  settings: RegisterStepSettings,
  ports: RegisterPorts,
): Promise<RegisterOutcome> {
  const path = (file: string) => resolve(ports.cwd, file);
  const lineageMap = (given: LineageText) => parseLineageMap(given.text, given.what, ports.cwd);
  const lineage: Partial<Lineage> = {
    ...(await ports.lineage()),
    ...(settings.params === undefined ? {} : { params: await lineageMap(settings.params) }),
    ...(settings.training === undefined ? {} : { training: await lineageMap(settings.training) }),
  };
  const request: RegisterRequest = {
    name: settings.name,
    modelPath: path(settings.model),
    evaluation: await readEvaluationRecord(path(settings.evaluation), 'model'),
    verdict: settings.verdict === undefined ? null : await readVerdictRecord(path(settings.verdict)),
    lineage,
    ...(settings.alias === undefined ? {} : { alias: settings.alias }),
    ...(settings.allowDowngrade ? { allowDowngrade: true } : {}),
    requirePassed: settings.requirePassed,
  };
  // register() makes these checks too; made here first, a refusal names the files as given.
  await prepareRegistration(request, {
    evaluation: settings.evaluation,
    ...(settings.verdict === undefined ? {} : { verdict: settings.verdict }),
    requirePassedOff: `${settings.namer('require-passed')} false`,
  });
  const { registry } = ports;
  const version = await registry.register(request);
  return {
    kind: 'registered',
    version,
    location: registry.location,
    alias:
      request.alias === undefined ? undefined : await aliasOutcome(settings, ports, version, request.alias),
    json: settings.json,
  };
}

async function aliasOutcome(
  settings: RegisterStepSettings,
  { registry, logger }: RegisterPorts,
  version: ModelVersion,
  alias: string,
): Promise<AliasOutcome> {
  if (version.aliases.includes(alias)) return { name: alias, moved: true };
  const named = await registry.resolve(version.name, alias).catch(() => undefined);
  const where = named === undefined ? 'where it is' : `on v${named.version}`;
  logger.warning(
    `alias '${alias}' stays ${where}: a concurrent register moved it to a newer version first, and aliases only move forward (${settings.namer('allow-downgrade')} moves it back)`,
  );
  return { name: alias, moved: false, stays: named?.version };
}
