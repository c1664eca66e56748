import { create } from 'zustand';
import type { AppErrorData, ModelInfo } from '../../shared/contract/index.ts';
import { loadRecentModels, type RecentModel } from '../open/recent-models.ts';

export interface OpeningState {
  fileName: string;
  operationId: string;
  stage: string;
  done: number;
  total?: number;
  unit: 'bytes' | 'rows' | 'files' | 'steps';
}

export interface AppState {
  model: ModelInfo | null;
  opening: OpeningState | null;
  /** The last open that failed; shown as the error state until dismissed or another open starts. */
  openError: (AppErrorData & { fileName: string }) | null;
  /** Something the user should know that is not an error (extra dropped files, …). */
  notice: string | null;
  recent: RecentModel[];
  /** The model view's tab; the desktop menu can switch it (File → Export…). */
  activeTab: 'try' | 'batch' | 'export' | 'library';
  /** The main area: the open model (or the empty state), or the library of kept models. */
  view: 'model' | 'library';
  /**
   * The Try tab's payload: the one state behind its form and its JSON view, exactly what Predict sends (null:
   * a fresh form). Shared with the library tools (samples, what-if, compare).
   */
  currentPayload: Record<string, unknown> | null;
  /** Try's "refuse fields that are not inputs" setting (the CLI's --strict-fields). */
  strictFields: boolean;
  /**
   * A panel another view asked to bring into view (the Batch tab's drift hint points at the Drift panel). The
   * panel scrolls itself into view, focuses its heading when it mounts, then clears the request.
   */
  reveal: 'drift' | null;
  /**
   * The expected-checksum field's text, for one model: the single value the field's status and the Export
   * gate derive from (renderer/model/checksum-gate.ts). Null until the user types in it.
   */
  expectedChecksum: { modelId: string; text: string } | null;
}

export const useAppStore = create<AppState>(() => ({
  model: null,
  opening: null,
  openError: null,
  notice: null,
  recent: loadRecentModels(),
  activeTab: 'try',
  view: 'model',
  currentPayload: null,
  strictFields: false,
  reveal: null,
  expectedChecksum: null,
}));
