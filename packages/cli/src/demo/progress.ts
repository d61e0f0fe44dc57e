/**
 * The demo's progress: on a terminal, a bar with an ETA kept on the last line while the story
 * prints above it; elsewhere (CI, a pipe, a log file) plain numbered lines that read well when
 * nobody redraws anything.
 */

export interface PlannedStep {
  readonly title: string;
  /** How long the step takes on a 2-core machine, for the ETA; only the ratios matter. */
  readonly expectedSeconds: number;
}

export interface Progress {
  /** Starts the next step of the plan and prints its heading line. */
  step(): void;
  /** Prints lines that belong to the current step (indented under it). */
  note(text: string): void;
  /** Prints a line as it is (stage headings, the summary). */
  line(text: string): void;
  /** Ends the last step and clears the bar; again, it does nothing. */
  finish(): void;
}

export type ProgressMode = 'bar' | 'plain';

export interface ProgressOptions {
  readonly mode: ProgressMode;
  readonly write: (text: string) => void;
  /** Milliseconds; injectable so tests control time. */
  readonly now?: () => number;
  /** How often the bar redraws its clock; 0 turns the timer off (tests). */
  readonly tickMs?: number;
  /** Terminal width for the bar line. */
  readonly columns?: number;
}

const INDENT = '       ';
const BAR_WIDTH = 24;
const MIN_COLUMNS = 40;
/** Four redraws a second keep the clock alive without flooding a slow terminal. */
const DEFAULT_TICK_MS = 250;

/**
 * Seconds left, scaled by how fast this machine has been so far: the steps done took `elapsed`
 * seconds against `expected` planned, so the rest will likely take the same ratio of its plan.
 * The running step counts what is left of it, never less than nothing.
 */
export function estimateRemaining(
  plan: readonly PlannedStep[],
  current: number,
  doneSeconds: number,
  currentSeconds: number,
): number {
  const plannedDone = plan.slice(0, current).reduce((sum, s) => sum + s.expectedSeconds, 0);
  // Before anything has finished there is no evidence of speed: trust the plan.
  const pace = plannedDone > 0 && doneSeconds > 0 ? doneSeconds / plannedDone : 1;
  const running = plan[current];
  const left = running === undefined ? 0 : Math.max(0, running.expectedSeconds * pace - currentSeconds);
  const after = plan.slice(current + 1).reduce((sum, s) => sum + s.expectedSeconds, 0) * pace;
  return left + after;
}

/** `[██████░░░░] 6/15 · 4.2 s · ETA 6 s · deploy v1` */
export function renderBar(
  plan: readonly PlannedStep[],
  current: number,
  elapsedSeconds: number,
  remainingSeconds: number,
  columns: number,
): string {
  // Filled by time, not by steps counted, so the bar keeps moving while a long step runs.
  const total = elapsedSeconds + remainingSeconds;
  const fraction = total > 0 ? Math.min(1, Math.max(0, elapsedSeconds / total)) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const title = plan[current]?.title ?? 'done';
  const text = `[${bar}] ${Math.min(current + 1, plan.length)}/${plan.length} · ${elapsedSeconds.toFixed(1)} s · ETA ${Math.ceil(remainingSeconds)} s · ${title}`;
  return text.length > columns ? `${text.slice(0, Math.max(0, columns - 1))}…` : text;
}

export function createProgress(plan: readonly PlannedStep[], options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const write = options.write;
  const bar = options.mode === 'bar';
  // A pseudo-terminal may report 0 columns; then assume an ordinary terminal's width.
  const columns = options.columns !== undefined && options.columns >= MIN_COLUMNS ? options.columns : 100;
  const started = now();
  let current = -1;
  let stepStarted = started;
  let doneSeconds = 0;
  let barShown = false;
  let timer: NodeJS.Timeout | undefined;

  const clearBar = () => {
    if (barShown) write('\r\x1b[2K');
    barShown = false;
  };
  const drawBar = () => {
    if (!bar || current < 0 || current >= plan.length) return;
    const t = now();
    const remaining = estimateRemaining(plan, current, doneSeconds, (t - stepStarted) / 1000);
    write(`\r\x1b[2K${renderBar(plan, current, (t - started) / 1000, remaining, columns)}`);
    barShown = true;
  };
  const print = (text: string) => {
    clearBar();
    write(text.endsWith('\n') ? text : `${text}\n`);
    drawBar();
  };
  const endStep = () => {
    if (current >= 0 && current < plan.length) doneSeconds += (now() - stepStarted) / 1000;
  };

  if (bar && (options.tickMs ?? DEFAULT_TICK_MS) > 0) {
    timer = setInterval(drawBar, options.tickMs ?? DEFAULT_TICK_MS);
    // The clock must never keep the process alive on its own.
    timer.unref();
  }

  return {
    step() {
      endStep();
      current += 1;
      stepStarted = now();
      const heading = `[${current + 1}/${plan.length}] ${plan[current]?.title ?? ''}`;
      print(bar ? `\x1b[1m${heading}\x1b[0m` : heading);
    },
    note(text) {
      print(
        text
          .replace(/\n+$/, '')
          .split('\n')
          .map((l) => (l === '' ? '' : `${INDENT}${l}`))
          .join('\n'),
      );
    },
    line(text) {
      print(text);
    },
    finish() {
      if (current >= plan.length) return;
      endStep();
      current = plan.length;
      if (timer !== undefined) clearInterval(timer);
      clearBar();
    },
  };
}

/** The mode `auto` stands for: a bar only where someone watches it redraw, a terminal outside CI. */
export function progressMode(chosen: ProgressMode | 'auto', env: NodeJS.ProcessEnv): ProgressMode {
  if (chosen !== 'auto') return chosen;
  const terminal = process.stdout.isTTY === true && env.TERM !== 'dumb';
  return terminal && !env.CI ? 'bar' : 'plain';
}
