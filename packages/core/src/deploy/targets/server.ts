import { InputError } from '../../kernel/errors.ts';
import { shortDigest } from '../../kernel/format.ts';
import { callJson, errorText, type HttpAnswer, trimUrl, UnreachableError } from '../http.ts';
import { oipEndpoint } from '../oip.ts';
import {
  DeployCheckError,
  DeployRefusedError,
  type DeployTarget,
  type InferenceEndpoint,
  type ModelToDeploy,
  type Serving,
  type TargetPlan,
} from '../types.ts';

/** Loading fetches the model from the server's registry and warms a session: give it time. */
const LOAD_TIMEOUT_MS = 300_000;

/** A model's state as the admin API reports it (/tmp/admin-api.md, `State`). */
interface AdminState {
  name: string;
  primary: { version: number; sha256: string } | null;
  canary: { version: number; sha256: string; percent: number } | null;
  previous: { version: number; sha256: string } | null;
}

export interface ServerTargetOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** The admin token (MODELGATE_ADMIN_TOKEN or .modelgate/admin-token). */
  readonly token: string;
  /**
   * The wire the smoke check sends its rows on, pinned to the version being deployed. Default:
   * OIP v2 over HTTP at `url`. The deploy step's `wire: grpc` passes `grpcEndpoint` of
   * @modelgate/server (the server's gRPC port) instead; the admin API stays on HTTP either way.
   */
  readonly smokeEndpoint?: (model: string, version: string) => InferenceEndpoint;
}

/**
 * The built-in model server (`modelgate serve`), driven through its admin API. The server loads
 * versions from its own registry and checks their sha256 itself; this side checks that what it
 * loaded is the digest the gate vouched for. A replace goes out as a canary with no traffic
 * first, so the smoke check runs on the new version (pinned) before any user request reaches
 * it, then is promoted in one atomic swap.
 */
export function serverTarget(options: ServerTargetOptions): DeployTarget {
  const base = trimUrl(options.url);
  const admin = (name: string, action: string) =>
    `${base}/admin/models/${encodeURIComponent(name)}/${action}`;

  const call = async (method: 'GET' | 'POST', url: string, body?: unknown, timeoutMs?: number) => {
    const answer = await callJson(method, url, {
      token: options.token,
      ...(body === undefined ? {} : { body }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    if (answer.status === 401 || answer.status === 403) {
      throw new InputError(
        `the model server at ${base} ${answer.status === 401 ? 'wants' : 'refused'} the admin token (${answer.status})`,
        { hint: 'set MODELGATE_ADMIN_TOKEN to the token the server was started with' },
      );
    }
    return answer;
  };

  const stateOf = async (name: string): Promise<AdminState | null> => {
    const answer = await call('GET', `${base}/admin/models`);
    if (answer.status !== 200)
      throw new DeployCheckError(`GET ${base}/admin/models answered ${answer.status}: ${errorText(answer)}`);
    const models = (answer.body as { models?: unknown } | undefined)?.models;
    if (!Array.isArray(models))
      throw new DeployCheckError(`GET ${base}/admin/models answered without a models list`);
    return (models as AdminState[]).find((m) => m.name === name) ?? null;
  };

  /** The state a successful admin call returned, or why it failed. */
  const expectState = (answer: HttpAnswer, what: string): AdminState => {
    if (answer.status === 200) return answer.body as AdminState;
    throw new DeployCheckError(
      `${what}: the server answered ${answer.status}: ${errorText(answer)}${loadHint(answer.status)}`,
    );
  };

  const describe = (state: AdminState | null): string => {
    if (state?.primary == null) return 'nothing serves';
    const canary =
      state.canary === null ? '' : ` (canary v${state.canary.version} at ${state.canary.percent}%)`;
    return `v${state.primary.version} (sha256 ${shortDigest(state.primary.sha256)}) serves${canary}`;
  };

  return {
    kind: 'server',

    async prepare(model: ModelToDeploy): Promise<TargetPlan> {
      let state: AdminState | null;
      try {
        state = await stateOf(model.version.name);
      } catch (error) {
        if (error instanceof UnreachableError) {
          throw new InputError(`cannot reach the model server at ${base}: ${error.message}`, {
            hint: "start it with 'modelgate serve', or give the URL it listens on",
            cause: error,
          });
        }
        throw error;
      }
      if (state?.canary != null) {
        // A canary left behind means another deploy is under way (or died mid-way): going on
        // would take over its traffic split.
        throw new DeployRefusedError(
          `the server at ${base} already has a canary of ${model.version.name} (v${state.canary.version} at ${state.canary.percent}%): another deploy may be under way`,
        );
      }
      const serving: Serving = {
        primary:
          state?.primary == null
            ? null
            : { version: Number(state.primary.version), sha256: state.primary.sha256 },
        canary: null,
      };
      return {
        mode: 'live',
        serving,
        url: `${base}/v2/models/${encodeURIComponent(model.version.name)}`,
        canary: true,
        staging: true,
      };
    },

    async install(model, canaryPercent) {
      const { name, version } = model.version;
      const answer = await call(
        'POST',
        admin(name, 'load'),
        { version, ...(canaryPercent === undefined ? {} : { canary_percent: canaryPercent }) },
        LOAD_TIMEOUT_MS,
      );
      const state = expectState(answer, `loading ${name} v${version}`);
      const slot = canaryPercent === undefined ? state.primary : state.canary;
      checkDigest(slot, model, canaryPercent === undefined ? 'primary' : 'canary');
    },

    async setCanary(model, percent) {
      const { name } = model.version;
      const state = expectState(
        await call('POST', admin(name, 'canary'), { percent }),
        `setting the canary to ${percent}%`,
      );
      checkDigest(state.canary, model, 'canary');
    },

    async promote(model) {
      const { name, version } = model.version;
      const state = expectState(await call('POST', admin(name, 'promote')), `promoting v${version}`);
      checkDigest(state.primary, model, 'primary');
    },

    async rollback(model) {
      const { name, version, sha256 } = model.version;
      const before = await stateOf(name);
      const ours = (slot: { version: number; sha256: string } | null | undefined) =>
        slot != null && Number(slot.version) === version && slot.sha256 === sha256;
      if (!ours(before?.canary) && !ours(before?.primary)) {
        return `nothing to undo: v${version} is not loaded; ${describe(before)}`;
      }
      if (!ours(before?.canary) && before?.previous == null) {
        throw new DeployCheckError(
          `v${version} was the first version this server loaded, so there is nothing to go back to: it still serves`,
        );
      }
      const answer = await call('POST', admin(name, 'rollback'));
      const after = expectState(answer, `rolling back ${name}`);
      return describe(after);
    },

    async verify(model, canaryPercent) {
      const { name, version } = model.version;
      const ready = await callJson('GET', `${base}/v2/health/ready`);
      if (ready.status !== 200)
        throw new DeployCheckError(
          `${base}/v2/health/ready answered ${ready.status}: the server is not ready`,
        );
      const state = await stateOf(name);
      if (canaryPercent === undefined) {
        checkDigest(state?.primary ?? null, model, 'primary');
        if (state?.canary != null)
          throw new DeployCheckError(`a canary (v${state.canary.version}) is still set after the promotion`);
        const metadata = await callJson('GET', `${base}/v2/models/${encodeURIComponent(name)}`);
        const live = (metadata.body as { modelgate?: { version?: unknown } } | undefined)?.modelgate?.version;
        if (metadata.status !== 200 || Number(live) !== version) {
          throw new DeployCheckError(
            `the model metadata at ${base}/v2/models/${name} says version ${String(live)} (status ${metadata.status}), not v${version}`,
          );
        }
      } else {
        checkDigest(state?.canary ?? null, model, 'canary');
        if (Number(state?.canary?.percent) !== canaryPercent) {
          throw new DeployCheckError(
            `the canary takes ${String(state?.canary?.percent)}% of the traffic, not ${canaryPercent}%`,
          );
        }
      }
    },

    endpoint(model) {
      const version = String(model.version.version);
      if (options.smokeEndpoint !== undefined) return options.smokeEndpoint(model.version.name, version);
      return oipEndpoint(base, model.version.name, version);
    },
  };
}

/** The slot the server reports holds exactly the version and digest being deployed. */
function checkDigest(
  slot: { version: number; sha256: string } | null | undefined,
  model: ModelToDeploy,
  where: 'primary' | 'canary',
): void {
  const { version, sha256 } = model.version;
  if (slot == null || Number(slot.version) !== version) {
    throw new DeployCheckError(
      `the server's ${where} is ${slot == null ? 'empty' : `v${slot.version}`}, not v${version}`,
    );
  }
  if (slot.sha256 !== sha256) {
    throw new DeployCheckError(
      `the server loaded v${version} with sha256 ${shortDigest(slot.sha256)}, but the registry deployed from vouches for ${shortDigest(sha256)}: the server reads another registry`,
    );
  }
}

function loadHint(status: number): string {
  if (status === 404) return ' (does the server read the registry this deploy reads?)';
  if (status === 409) return " (the server's copy of the model does not match its registered sha256)";
  return '';
}
