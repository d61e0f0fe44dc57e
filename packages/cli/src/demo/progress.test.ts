import { describe, expect, it } from 'vitest';
import { createProgress, estimateRemaining, type PlannedStep, renderBar } from './progress.ts';

const PLAN: PlannedStep[] = [
  { title: 'train', expectedSeconds: 2 },
  { title: 'evaluate', expectedSeconds: 1 },
  { title: 'deploy', expectedSeconds: 1 },
];

/** A clock the test moves by hand. */
function clock() {
  let ms = 0;
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
}

describe('estimateRemaining', () => {
  it('trusts the plan before any step has finished', () => {
    expect(estimateRemaining(PLAN, 0, 0, 0)).toBe(4);
    expect(estimateRemaining(PLAN, 0, 0, 0.5)).toBe(3.5);
  });

  it('scales what is left by the pace measured so far', () => {
    // The 2 s step took 4 s: this machine runs at half the planned speed.
    expect(estimateRemaining(PLAN, 1, 4, 0)).toBe(4);
    // Twice as fast as planned.
    expect(estimateRemaining(PLAN, 1, 1, 0)).toBe(1);
  });

  it('never counts a step that overran as negative time', () => {
    expect(estimateRemaining(PLAN, 2, 3, 10)).toBe(0);
  });
});

describe('renderBar', () => {
  it('fills by time spent against time left, and names the step and the ETA', () => {
    const bar = renderBar(PLAN, 1, 3, 1, 100);
    expect(bar).toBe('[██████████████████░░░░░░] 2/3 · 3.0 s · ETA 1 s · evaluate');
  });

  it('fits the terminal', () => {
    expect(renderBar(PLAN, 0, 0, 4, 40)).toHaveLength(40);
  });
});

describe('createProgress', () => {
  it('prints plain numbered lines with notes indented under them, and no escape codes', () => {
    let out = '';
    const progress = createProgress(PLAN, { mode: 'plain', write: (t) => (out += t), tickMs: 0 });
    progress.line('Stage 1');
    progress.step();
    progress.note('a\nb');
    progress.step();
    progress.finish();
    expect(out).toBe('Stage 1\n[1/3] train\n       a\n       b\n[2/3] evaluate\n');
  });

  it('keeps a bar on the last line of a terminal, clearing it before each line and redrawing it after', () => {
    let out = '';
    const time = clock();
    const progress = createProgress(PLAN, {
      mode: 'bar',
      write: (t) => (out += t),
      now: time.now,
      tickMs: 0,
      columns: 200,
    });
    progress.step();
    time.advance(1);
    progress.note('trained');
    // 1 s spent, 3 s left: a quarter of the bar.
    expect(out).toContain('\x1b[1m[1/3] train\x1b[0m\n');
    expect(out.endsWith('\r\x1b[2K[██████░░░░░░░░░░░░░░░░░░] 1/3 · 1.0 s · ETA 3 s · train')).toBe(true);
    expect(out).toContain('\r\x1b[2K       trained\n');
    progress.finish();
    // Finishing clears the bar, so the summary that follows starts on a clean line.
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
    const before = out;
    progress.finish();
    expect(out).toBe(before);
  });
});
