import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Clock, type Logger, systemClock } from '../../kernel/ports.ts';
import { displayPath } from './present.ts';
import type { DemoProgressMode, DemoSettings } from './settings.ts';

/** What the story is told with. */
export interface DemoStoryOptions {
  /** Where it writes everything (absolute). */
  readonly dir: string;
  /** The example project (absolute). */
  readonly example: string;
  readonly bootstrap: number;
  readonly progress: DemoProgressMode;
  readonly verbose: boolean;
}

/** The story as told: where things are, and the model server it left running. */
export interface DemoTold {
  readonly model: string;
  /** The version `production` names at the end. */
  readonly production: number;
  /** The filesystem registry's folder. */
  readonly registry: string;
  /** The PR reports of the improved and the blocked candidates. */
  readonly reports: { readonly improved: string; readonly bad: string };
  /** `demo-state.json`. */
  readonly stateFile: string;
  readonly adminTokenFile: string;
  /** The model server: OIP v2 over HTTP at `url`, and over gRPC at `grpcUrl` when it speaks it. */
  readonly server: { readonly url: string; readonly grpcUrl?: string | undefined; close(): Promise<void> };
}

/** A step of the story did not go the way the demo tells it (a bug, or an edited example). */
export class DemoStoryError extends Error {
  override readonly name = 'DemoStoryError';
}

export interface DemoPorts {
  /**
   * The story itself (train → evaluate → gate → register → deploy, three times, against a live
   * model server): the CLI's, which starts @modelgate/server. It throws a {@link DemoStoryError}
   * when a step does not go as told.
   */
  readonly story: (options: DemoStoryOptions) => Promise<DemoTold>;
  /** The example project the story runs on (absolute). */
  readonly example: string;
  readonly cwd: string;
  /** The demo's own lines before the story starts. */
  readonly logger: Logger;
  readonly clock?: Clock;
}

export type DemoOutcome =
  | {
      readonly kind: 'told';
      readonly told: DemoTold;
      /** Whether the server was left running (`serve`), else it is stopped. */
      readonly serving: boolean;
      readonly seconds: number;
      /** Paths are shown relative to this. */
      readonly cwd: string;
    }
  | { readonly kind: 'astray'; readonly reason: string };

/** Starts over when asked to, tells the story, and stops its server unless it is to keep serving. */
export async function runDemo(settings: DemoSettings, ports: DemoPorts): Promise<DemoOutcome> {
  const clock = ports.clock ?? systemClock;
  const started = clock.now().getTime();
  const dir = resolve(ports.cwd, settings.dir);
  const shown = (path: string) => displayPath(ports.cwd, path);
  if (settings.clean) {
    await rm(dir, { recursive: true, force: true });
    ports.logger.info(`deleted ${shown(dir)}: starting over`);
  }
  ports.logger.info(
    `modelgate demo: the whole pipeline on ${shown(ports.example)}, with no GitHub, no Python and no GPU\n` +
      `train → evaluate → gate → register → deploy, three times; files in ${shown(dir)}`,
  );
  let told: DemoTold;
  try {
    told = await ports.story({
      dir,
      example: ports.example,
      bootstrap: settings.bootstrap,
      progress: settings.progress,
      verbose: settings.verbose,
    });
  } catch (error) {
    if (!(error instanceof DemoStoryError)) throw error;
    return { kind: 'astray', reason: error.message };
  }
  if (!settings.serve) await told.server.close();
  const seconds = (clock.now().getTime() - started) / 1000;
  return { kind: 'told', told, serving: settings.serve, seconds, cwd: ports.cwd };
}
