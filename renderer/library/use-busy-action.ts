import { useCallback, useState } from 'react';
import { errorMessage } from './format.ts';

/**
 * What every library panel keeps around its calls: `run(label, work)` marks the panel busy with
 * `label` (what its buttons and status show), clears the last error and shows the one `work` throws;
 * `after` runs when the work is over either way.
 */
export function useBusyAction() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (label: string, work: () => Promise<void>, after?: () => void) => {
    setBusy(label);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(null);
      after?.();
    }
  }, []);
  return { busy, error, setError, run };
}
