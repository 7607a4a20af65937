import cliProgress from 'cli-progress';
import type { Progress } from '../platform/backup/backup.ts';

export interface ProgressReporter {
  update(p: Progress): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; elsewhere (logs, CI, pipes) a plain line at most every two
 * seconds, so long work never looks stuck and never floods a log file.
 */
export function progressReporter(label: string, unit: string): ProgressReporter {
  return process.stderr.isTTY ? barReporter(label, unit) : lineReporter(label, unit);
}

function barReporter(label: string, unit: string): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {step}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      if (!started) bar.start(Math.max(p.total, 1), 0, { step: p.step });
      started = true;
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.done, { step: p.step });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineReporter(label: string, unit: string): ProgressReporter {
  let last: Progress | undefined;
  let printed: Progress | undefined;
  let printedAt = 0;
  const print = (p: Progress) => {
    process.stderr.write(`${label}: ${p.done}/${p.total} ${unit}${p.step ? ` (${p.step})` : ''}\n`);
    printed = p;
    printedAt = Date.now();
  };
  return {
    update(p) {
      last = p;
      if (Date.now() - printedAt >= 2000) print(p);
    },
    stop() {
      if (last && last !== printed) print(last);
    },
  };
}
