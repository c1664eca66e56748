import { useEffect, useState } from 'react';
import type { CsvInspection, ScoringCheck } from '../../shared/contract/index.ts';
import { ClientError, client, newOperationId } from '../client/index.ts';
import { type CsvReadChoices, csvSetup } from './CsvReadSettings.tsx';

/**
 * Inspects a CSV and counts, over the whole file, what the settings will do (batch.inspect, then
 * batch.check), again whenever the file or a setting changes; a change cancels the count under way.
 * For panels that keep their state locally (Compare); Batch keeps its own in a store across tabs.
 */
export function useCsvCheck(modelId: string, path: string | null, choices: CsvReadChoices) {
  const [inspection, setInspection] = useState<CsvInspection | null>(null);
  const [check, setCheck] = useState<ScoringCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = path ? JSON.stringify(csvSetup(modelId, path, choices)) : null;
  useEffect(() => {
    if (!key) {
      setInspection(null);
      setCheck(null);
      return;
    }
    const request = JSON.parse(key) as ReturnType<typeof csvSetup>;
    let stale = false;
    const operationId = newOperationId('csv-check');
    (async () => {
      try {
        setError(null);
        const inspected = await client.call('batch.inspect', request);
        if (stale) return;
        setInspection(inspected);
        setCheck(null);
        if (inspected.unmappedInputs.length > 0) return;
        setChecking(true);
        const counted = await client.call('batch.check', { ...request, operationId });
        if (!stale) setCheck(counted);
      } catch (caught) {
        const clientError = ClientError.from(caught);
        if (!stale && clientError.code !== 'cancelled') setError(clientError.message);
      } finally {
        if (!stale) setChecking(false);
      }
    })();
    return () => {
      stale = true;
      void client.call('operation.cancel', { operationId }).catch(() => undefined);
    };
  }, [key]);
  return { inspection, check, checking, error };
}
