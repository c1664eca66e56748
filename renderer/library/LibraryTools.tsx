import type { ModelInfo } from '../../shared/contract/index.ts';
import { ComparePanel } from './ComparePanel.tsx';
import { DriftPanel } from './DriftPanel.tsx';
import { SamplesPanel } from './SamplesPanel.tsx';
import { WhatIfPanel } from './WhatIfPanel.tsx';

export interface LibraryToolsProps {
  model: ModelInfo;
  /** The Try tab's current payload, if the app shares it; otherwise each panel has its own JSON editor. */
  payload?: Record<string, unknown> | null;
  /** Bring the Drift panel into view and focus its heading (the Batch tab's drift hint sends users there). */
  revealDrift?: boolean;
  onDriftRevealed?: () => void;
}

/** Everything the library offers for the open model, stacked: samples, what-if, compare and drift (one tab). */
export function LibraryTools(props: LibraryToolsProps) {
  const { model, payload, revealDrift, onDriftRevealed } = props;
  return (
    <div className="library-tools">
      <SamplesPanel key={`samples-${model.modelId}`} model={model} payload={payload} />
      <WhatIfPanel key={`whatif-${model.modelId}`} model={model} payload={payload} />
      <ComparePanel key={`compare-${model.modelId}`} model={model} payload={payload} />
      <DriftPanel
        key={`drift-${model.modelId}`}
        model={model}
        reveal={revealDrift}
        onRevealed={onDriftRevealed}
      />
    </div>
  );
}
