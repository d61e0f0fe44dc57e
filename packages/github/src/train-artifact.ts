import { DefaultArtifactClient } from '@actions/artifact';
import type { ArtifactStore } from '@modelgate/core';

/** The run's artifacts when the runner gave this action their service, else a store that says why it skips. */
export function artifactStoreFor(env: NodeJS.ProcessEnv): ArtifactStore {
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    return {
      upload: async () => ({
        kind: 'skipped',
        reason:
          'not on a GitHub Actions runner (no ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL), so there is nowhere to upload to',
      }),
    };
  }
  const client = new DefaultArtifactClient();
  return {
    async upload(name, files, rootDirectory) {
      const response = await client.uploadArtifact(name, files, rootDirectory);
      return {
        kind: 'uploaded',
        name,
        ...(response.id === undefined ? {} : { id: response.id }),
        ...(response.size === undefined ? {} : { size: response.size }),
      };
    },
  };
}
