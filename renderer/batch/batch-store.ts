import { useCallback } from 'react';
import { create } from 'zustand';
import type {
  ColumnMapping,
  CsvDialect,
  CsvInspection,
  DriftReport,
  MissingPolicy,
  NumberFormat,
  ProgressEvent,
  ScoringCheck,
  ScoringSummary,
  UnseenCategoriesPolicy,
} from '../../shared/contract/index.ts';
import { type ClientError, client } from '../client/index.ts';

/**
 * The batch panel's state, per open model, outside the component: a run goes on in main when the
 * user switches to another tab, and its progress and result must be there when they come back.
 */
export interface BatchState {
  csvPath: string | null;
  uploading: number | null;
  dialect: Partial<CsvDialect>;
  /** Unset: the format detected from the file (inspection.numberFormat). */
  numberFormat: NumberFormat | undefined;
  unseenCategories: UnseenCategoriesPolicy;
  mappingEdits: ColumnMapping;
  missing: Record<string, MissingPolicy>;
  labelColumn: string;
  /** Explain every row (`score --explain`): off by default, it costs 2^n × background rows per row. */
  explain: boolean;
  outputPath: string;
  inspection: CsvInspection | null;
  /** The settings the inspection and check were made with, so a remount doesn't redo them. */
  inspectedKey: string | null;
  check: ScoringCheck | null;
  checking: boolean;
  running: string | null;
  progress: ProgressEvent | null;
  summary: ScoringSummary | null;
  threshold: number;
  error: ClientError | null;
  confirmOverwrite: 'output' | 'report' | null;
  reportPath: string;
  savedReport: string | null;
  /** Drift of the last run against the model's reference CSV, from the same pass (see BatchDrift.tsx). */
  drift: BatchDrift | null;
}

export type BatchDrift = { state: 'no-reference' } | { state: 'ready'; report: DriftReport };

export const initialBatchState: BatchState = {
  csvPath: null,
  uploading: null,
  dialect: {},
  numberFormat: undefined,
  unseenCategories: 'count',
  mappingEdits: {},
  missing: {},
  labelColumn: '',
  explain: false,
  outputPath: '',
  inspection: null,
  inspectedKey: null,
  check: null,
  checking: false,
  running: null,
  progress: null,
  summary: null,
  threshold: 0.5,
  error: null,
  confirmOverwrite: null,
  reportPath: '',
  savedReport: null,
  drift: null,
};

type Patch = Partial<BatchState> | ((state: BatchState) => Partial<BatchState>);

interface BatchStore {
  byModel: Record<string, BatchState>;
  update(modelId: string, patch: Patch): void;
}

export const useBatchStore = create<BatchStore>((set) => ({
  byModel: {},
  update: (modelId, patch) =>
    set((store) => {
      const current = store.byModel[modelId] ?? initialBatchState;
      const changes = typeof patch === 'function' ? patch(current) : patch;
      return { byModel: { ...store.byModel, [modelId]: { ...current, ...changes } } };
    }),
}));

let listening = false;

/** One progress listener for every panel: events go to the model whose run has that operationId. */
function listenForProgress(): void {
  if (listening) return;
  listening = true;
  client.onEvent('progress', (event) => {
    const { byModel, update } = useBatchStore.getState();
    for (const [modelId, state] of Object.entries(byModel)) {
      if (state.running === event.operationId) update(modelId, { progress: event });
    }
  });
}

export function useBatchState(modelId: string): [BatchState, (patch: Patch) => void] {
  listenForProgress();
  const state = useBatchStore((store) => store.byModel[modelId] ?? initialBatchState);
  const update = useBatchStore((store) => store.update);
  // Stable per model, so effects that depend on it don't rerun on every render.
  const updateModel = useCallback((patch: Patch) => update(modelId, patch), [update, modelId]);
  return [state, updateModel];
}
