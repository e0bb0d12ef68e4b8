// Progress of long CLI work (sweep, tune): a bar on a terminal, plain lines in logs, durations.

import { createRequire } from 'node:module';
import type { StudyProgress } from '../study/runner.js';

/**
 * The progress bar class, loaded on a terminal only (synchronously, so progressView stays so):
 * logs and pipes never pay for it, nor does a command that ends before any progress.
 */
const singleBar = (): typeof import('cli-progress').SingleBar =>
  (createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress')).SingleBar;

/** A duration for people: `42s`, `3m07s`, `2h05m`. */
export const formatDuration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

/**
 * Shows a study's progress: a bar on a terminal, a plain line every few seconds otherwise, each
 * starting with `label` (`sweep`, `tune rung 2/3`).
 */
export function progressView(
  stream: NodeJS.WriteStream,
  label: string,
): { update(p: StudyProgress): void; stop(): void } {
  const rate = (p: StudyProgress): string => p.runsPerSecond.toFixed(p.runsPerSecond < 10 ? 2 : 1);
  const eta = (p: StudyProgress): string => (p.etaMs === undefined ? '?' : formatDuration(p.etaMs));
  if (stream.isTTY) {
    const SingleBar = singleBar();
    const bar = new SingleBar({
      stream,
      format: `${label} {bar} {value}/{total} runs | {rate} runs/s | ETA {etaText} | {diverged} diverged`,
      hideCursor: true,
      barsize: 30,
    });
    let started = false;
    return {
      update(p) {
        const payload = { rate: rate(p), etaText: eta(p), diverged: p.diverged };
        if (!started) bar.start(p.total, p.done, payload);
        else bar.update(p.done, payload);
        started = true;
      },
      stop: () => bar.stop(),
    };
  }
  const PERIOD_MS = 5000;
  let last = 0;
  return {
    update(p) {
      if (p.done === 0 || (p.done < p.total && p.elapsedMs - last < PERIOD_MS)) return;
      last = p.elapsedMs;
      const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
      stream.write(
        `${label}: ${p.done}/${p.total} runs (${pct}%), ${rate(p)} runs/s, ETA ${eta(p)}, ${p.diverged} diverged\n`,
      );
    },
    stop() {},
  };
}
