const handled = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * Turns Ctrl-C (SIGINT), SIGTERM and a closed terminal (SIGHUP) into a cancel for the duration of
 * `work`: a long run then stops the way the app's Cancel button stops it, removing its partial output
 * instead of leaving hidden temp files behind. A second signal ends the process at once, as a user
 * pressing Ctrl-C twice expects.
 */
export async function cancelOnInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (signalNumbers[signal] ?? 15));
    controller.abort();
  };
  for (const signal of handled) process.on(signal, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    for (const signal of handled) process.off(signal, onSignal);
  }
}
