import { lazy, Suspense, useRef } from 'react';
import type { ModelInfo } from '../../shared/contract/index.ts';
import { ModelCard } from '../model/ModelCard.tsx';
import { PayloadForm } from '../payload/PayloadForm.tsx';
import { useAppStore } from './app-store.ts';

// Batch and Export load when first shown, so the first paint only waits for what the Try tab needs.
const BatchPanel = lazy(() =>
  import('../batch/BatchPanel.tsx').then((module) => ({ default: module.BatchPanel })),
);
const ExportPanel = lazy(() =>
  import('../export/ExportPanel.tsx').then((module) => ({ default: module.ExportPanel })),
);
const LibraryTools = lazy(() =>
  import('../library/index.ts').then((module) => ({ default: module.LibraryTools })),
);

const clearReveal = () => useAppStore.setState({ reveal: null });

const tabs = [
  { id: 'try', label: 'Try' },
  { id: 'batch', label: 'Batch' },
  { id: 'export', label: 'Export' },
  { id: 'library', label: 'Samples & compare' },
] as const;
type TabId = (typeof tabs)[number]['id'];

/** The open model: its card, and the three things to do with it as keyboard-navigable tabs. */
export function ModelView(props: { model: ModelInfo }) {
  const { model } = props;
  const tab = useAppStore((state) => state.activeTab);
  const currentPayload = useAppStore((state) => state.currentPayload);
  const revealDrift = useAppStore((state) => state.reveal === 'drift');
  const setTab = (id: TabId) => useAppStore.setState({ activeTab: id });
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  function moveFocus(offset: number) {
    const index = tabs.findIndex((candidate) => candidate.id === tab);
    const next = tabs[(index + offset + tabs.length) % tabs.length]!;
    setTab(next.id);
    tabRefs.current[next.id]?.focus();
  }

  return (
    <div className="model-view">
      <ModelCard model={model} />
      <section className="card work">
        <div className="tabs" role="tablist" aria-label="What to do with the model">
          {tabs.map((candidate) => (
            <button
              key={candidate.id}
              ref={(element) => {
                tabRefs.current[candidate.id] = element;
              }}
              type="button"
              role="tab"
              id={`tab-${candidate.id}`}
              aria-selected={tab === candidate.id}
              aria-controls={`panel-${candidate.id}`}
              tabIndex={tab === candidate.id ? 0 : -1}
              onClick={() => setTab(candidate.id)}
              onKeyDown={(event) => {
                if (event.key === 'ArrowRight') moveFocus(1);
                if (event.key === 'ArrowLeft') moveFocus(-1);
              }}
            >
              {candidate.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
          <Suspense fallback={<p className="hint">Loading…</p>}>
            {tab === 'try' ? <PayloadForm key={model.modelId} model={model} /> : null}
            {tab === 'batch' ? <BatchPanel key={model.modelId} model={model} /> : null}
            {tab === 'export' ? <ExportPanel key={model.modelId} model={model} /> : null}
            {tab === 'library' ? (
              <LibraryTools
                key={model.modelId}
                model={model}
                payload={currentPayload}
                revealDrift={revealDrift}
                onDriftRevealed={clearReveal}
              />
            ) : null}
          </Suspense>
        </div>
      </section>
    </div>
  );
}
