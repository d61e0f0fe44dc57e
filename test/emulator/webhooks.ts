import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';

// The package is CommonJS JSON, and its types describe an ESM default export that does not
// exist at runtime; require gives the array its types promise.
const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

type EventName = WebhookDefinition['name'];

/**
 * A real webhook payload from @octokit/webhooks-examples (the first example of `event`, or of
 * `event` with `action`), deep-copied so a test may edit it. Write it to a file for GITHUB_EVENT_PATH.
 */
export function webhookExample<N extends EventName>(
  event: N,
  action?: string,
): WebhookDefinition<N>['examples'][number] {
  const definition = definitions.find((d) => d.name === event) as WebhookDefinition<N> | undefined;
  const found = definition?.examples.find(
    (example) => action === undefined || (example as { action?: string }).action === action,
  );
  if (found === undefined) {
    throw new Error(
      `@octokit/webhooks-examples has no ${event}${action === undefined ? '' : ` "${action}"`} example`,
    );
  }
  return structuredClone(found);
}
