/** GitHub's error bodies, word for word, so clients meet the messages they will meet on github.com. */
import { ApiError } from './router.ts';

const REST_DOCS = 'https://docs.github.com/rest';
const RATE_LIMIT_DOCS =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

function body(message: string, status: number, docs: string, extra: Record<string, unknown> = {}) {
  return { message, ...extra, documentation_url: docs, status: String(status) };
}

export const notFound = (docs = REST_DOCS) => new ApiError(404, body('Not Found', 404, docs));

/** A 404 whose message says what is missing (e.g. "No commit found for the ref x"). */
export const notFoundBecause = (docs: string, message: string) => new ApiError(404, body(message, 404, docs));

/** A write that lost a race or named a stale version (e.g. "a.json does not match 1234…"). */
export const conflict = (docs: string, message: string) => new ApiError(409, body(message, 409, docs));

/** A 422 with GitHub's one-line message and no `errors` list (e.g. "Reference already exists"). */
export const unprocessable = (docs: string, message: string) => new ApiError(422, body(message, 422, docs));

export const requiresAuthentication = (docs: string) =>
  new ApiError(401, body('Requires authentication', 401, docs));

export const badCredentials = () => new ApiError(401, body('Bad credentials', 401, REST_DOCS));

/** What a workflow token without the needed permission (e.g. a fork PR's) gets on a write. */
export const notAccessibleByIntegration = (docs: string, permission: string) =>
  new ApiError(403, body('Resource not accessible by integration', 403, docs), {
    'x-accepted-github-permissions': permission,
  });

export const problemsParsingJson = (docs: string) =>
  new ApiError(400, body('Problems parsing JSON', 400, docs));

/** A body that fails the endpoint's JSON schema (e.g. a missing required field). */
export const invalidRequest = (docs: string, detail: string) =>
  new ApiError(422, body(`Invalid request.\n\n${detail}`, 422, docs));

/** A body that passes the schema but breaks a model rule (e.g. a comment too long). */
export const validationFailed = (
  docs: string,
  error: { resource: string; field: string; code: string; message?: string },
) => new ApiError(422, body('Validation Failed', 422, docs, { errors: [error] }));

/** The default body of an injected fault with this status. */
export function faultBody(status: number, docs = REST_DOCS): Record<string, unknown> {
  switch (status) {
    case 401:
      return body('Bad credentials', status, docs);
    case 403:
      return body('Resource not accessible by integration', status, docs);
    case 404:
      return body('Not Found', status, docs);
    case 409:
      return body('Conflict', status, docs);
    case 422:
      return body('Validation Failed', status, docs, { errors: [] });
    case 429:
      return body('Too Many Requests', status, docs);
    case 502:
    case 503:
    case 504:
      return body('Server Error', status, docs);
    default:
      return body(status >= 500 ? 'Server Error' : 'Error', status, docs);
  }
}

/** A primary rate limit: the hourly quota is spent until `reset` (epoch seconds). */
export function primaryRateLimit(status: 403 | 429, reset: number): ApiError {
  return new ApiError(
    status,
    body(
      'API rate limit exceeded for installation ID 1.',
      status,
      'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
    ),
    {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-resource': 'core',
    },
  );
}

/** A secondary rate limit (too many writes, too fast), with GitHub's retry-after when given. */
export function secondaryRateLimit(status: 403 | 429, retryAfterSeconds: number | undefined): ApiError {
  return new ApiError(
    status,
    body(
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
      status,
      RATE_LIMIT_DOCS,
    ),
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
  );
}
