import cliProgress from 'cli-progress';

/** How a long-running task reports progress; the CLI draws a bar, the control socket streams it. */
export interface Progress {
  start(total: number, label: string): void;
  update(current: number): void;
  stop(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const bar = new cliProgress.SingleBar(
    { format: '{label} [{bar}] {percentage}% | {value}/{total}', stream, hideCursor: false, noTTYOutput: true, notTTYSchedule: 1000 },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, label) => bar.start(total, 0, { label }),
    update: (current) => bar.update(current),
    stop: () => bar.stop(),
  };
}
