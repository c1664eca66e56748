/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a cancel for the duration of `work`: a long run then stops
 * the way the app's Cancel button stops it, removing its partial output instead of leaving hidden
 * temp files behind. A second signal ends the process at once, as a user pressing Ctrl-C twice expects.
 */
export async function cancelOnInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
