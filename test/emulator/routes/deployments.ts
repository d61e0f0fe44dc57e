/**
 * Deployments and their statuses: what a deploy records so it shows in the repository's
 * Environments page. Request checks, defaults and list order follow GitHub's REST API.
 */
import { invalidRequest, notFound, unprocessable, validationFailed } from '../errors.ts';
import type { Route, RouteContext } from '../router.ts';
import { deployment, deploymentStatus } from '../shapes.ts';
import type { DeploymentState, StoredDeployment, StoredRepo } from '../store.ts';
import { paginated, repoOf } from './common.ts';

const DOCS = 'https://docs.github.com/rest/deployments';
const STATES: readonly DeploymentState[] = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
];
/** GitHub's limit on a deployment status description. */
const MAX_DESCRIPTION_CHARS = 140;

function deploymentOf(context: RouteContext, repo: StoredRepo, docs: string): StoredDeployment {
  const found = context.store.deployment(repo, Number(context.params.deployment_id));
  if (found === undefined) throw notFound(docs);
  return found;
}

function fieldsOf(context: RouteContext, docs: string): Record<string, unknown> {
  const body = context.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest(docs, 'Body should be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function optionalString(fields: Record<string, unknown>, name: string, docs: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw invalidRequest(docs, `For 'properties/${name}', ${JSON.stringify(value)} is not a string.`);
  }
  return value;
}

function optionalBoolean(fields: Record<string, unknown>, name: string, docs: string): boolean | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    throw invalidRequest(docs, `For 'properties/${name}', ${JSON.stringify(value)} is not a boolean.`);
  }
  return value;
}

export const deploymentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/deployments',
    access: 'write',
    permission: 'deployments=write',
    docs: `${DOCS}/deployments#create-a-deployment`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const fields = fieldsOf(context, this.docs);
      const ref = optionalString(fields, 'ref', this.docs);
      if (ref === undefined) throw invalidRequest(this.docs, '"ref" wasn\'t supplied.');
      const commit = context.store.resolveCommit(repo, ref);
      if (commit === undefined) throw unprocessable(this.docs, `No ref found for: ${ref}`);
      const contexts = fields.required_contexts;
      if (
        contexts !== undefined &&
        (!Array.isArray(contexts) || contexts.some((c) => typeof c !== 'string'))
      ) {
        throw invalidRequest(
          this.docs,
          `For 'properties/required_contexts', ${JSON.stringify(contexts)} is not an array of strings.`,
        );
      }
      const payload = fields.payload ?? {};
      if (
        typeof payload !== 'string' &&
        (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      ) {
        throw invalidRequest(
          this.docs,
          `For 'properties/payload', ${JSON.stringify(payload)} is not an object or a string.`,
        );
      }
      const environment = optionalString(fields, 'environment', this.docs) ?? 'production';
      const stored = context.store.addDeployment(repo, {
        sha: commit.sha,
        ref,
        task: optionalString(fields, 'task', this.docs) ?? 'deploy',
        payload: payload as Record<string, unknown> | string,
        environment,
        description: optionalString(fields, 'description', this.docs) ?? '',
        creator: context.store.user(context.actor?.login ?? 'ghost'),
        transientEnvironment: optionalBoolean(fields, 'transient_environment', this.docs) ?? false,
        productionEnvironment:
          optionalBoolean(fields, 'production_environment', this.docs) ?? environment === 'production',
      });
      return { status: 201, body: deployment(stored, context.urls) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments',
    access: 'read',
    permission: 'deployments=read',
    docs: `${DOCS}/deployments#list-deployments`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const filters = ['sha', 'ref', 'task', 'environment'] as const;
      const listed = context.store.deploymentsOf(repo).filter((d) =>
        filters.every((name) => {
          const wanted = context.query.get(name);
          return wanted === null || wanted === 'none' || d[name] === wanted;
        }),
      );
      return paginated(
        context,
        repo,
        listed.map((d) => deployment(d, context.urls)),
      );
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    access: 'read',
    permission: 'deployments=read',
    docs: `${DOCS}/deployments#get-a-deployment`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      return { status: 200, body: deployment(deploymentOf(context, repo, this.docs), context.urls) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    access: 'write',
    permission: 'deployments=write',
    docs: `${DOCS}/statuses#create-a-deployment-status`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const target = deploymentOf(context, repo, this.docs);
      const fields = fieldsOf(context, this.docs);
      const state = fields.state;
      if (state === undefined) throw invalidRequest(this.docs, '"state" wasn\'t supplied.');
      if (!STATES.includes(state as DeploymentState)) {
        throw invalidRequest(
          this.docs,
          `For 'properties/state', ${JSON.stringify(state)} is not one of ${STATES.map((s) => `"${s}"`).join(', ')}.`,
        );
      }
      const description = optionalString(fields, 'description', this.docs) ?? '';
      if (description.length > MAX_DESCRIPTION_CHARS) {
        throw validationFailed(this.docs, {
          resource: 'DeploymentStatus',
          code: 'custom',
          field: 'description',
          message: `description is too long (maximum is ${MAX_DESCRIPTION_CHARS} characters)`,
        });
      }
      const logUrl =
        optionalString(fields, 'log_url', this.docs) ?? optionalString(fields, 'target_url', this.docs) ?? '';
      const environment =
        optionalString(fields, 'environment', this.docs) ??
        target.statuses.at(-1)?.environment ??
        target.environment;
      const autoInactive = optionalBoolean(fields, 'auto_inactive', this.docs) ?? true;
      const creator = context.store.user(context.actor?.login ?? 'ghost');
      const stored = context.store.addDeploymentStatus(target, {
        state: state as DeploymentState,
        creator,
        description,
        environment,
        logUrl,
        environmentUrl: optionalString(fields, 'environment_url', this.docs) ?? '',
      });
      if (state === 'success' && autoInactive) {
        // GitHub's rule: earlier successful deployments to the same non-transient,
        // non-production environment get an `inactive` status.
        for (const other of context.store.deploymentsOf(repo)) {
          if (other === target || other.environment !== environment) continue;
          if (other.transientEnvironment || other.productionEnvironment) continue;
          if (other.statuses.at(-1)?.state !== 'success') continue;
          context.store.addDeploymentStatus(other, {
            state: 'inactive',
            creator,
            description: '',
            environment,
            logUrl: '',
            environmentUrl: '',
          });
        }
      }
      const body = deploymentStatus(stored, target, context.urls);
      return { status: 201, body, headers: { location: body.url } };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    access: 'read',
    permission: 'deployments=read',
    docs: `${DOCS}/statuses#list-deployment-statuses`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const target = deploymentOf(context, repo, this.docs);
      const newestFirst = [...target.statuses].reverse();
      return paginated(
        context,
        repo,
        newestFirst.map((s) => deploymentStatus(s, target, context.urls)),
      );
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}',
    access: 'read',
    permission: 'deployments=read',
    docs: `${DOCS}/statuses#get-a-deployment-status`,
    handle(context) {
      const repo = repoOf(context, this.docs);
      const target = deploymentOf(context, repo, this.docs);
      const found = target.statuses.find((s) => s.id === Number(context.params.status_id));
      if (found === undefined) throw notFound(this.docs);
      return { status: 200, body: deploymentStatus(found, target, context.urls) };
    },
  },
];
