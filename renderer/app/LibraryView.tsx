import { lazy, Suspense } from 'react';
import { showOpenedModel } from '../open/open-model.ts';
import { useAppStore } from './app-store.ts';

// The library (and its charts) loads when first shown.
const LibraryPanel = lazy(() =>
  import('../library/index.ts').then((module) => ({ default: module.LibraryPanel })),
);
const RunHistory = lazy(() =>
  import('../history/RunHistory.tsx').then((module) => ({ default: module.RunHistory })),
);

/** Every model ModelDock has kept; opening one makes it the current model. */
export function LibraryView() {
  const modelId = useAppStore((state) => state.model?.modelId);
  return (
    <div className="library-view">
      <div className="actions">
        <button type="button" className="button" onClick={() => useAppStore.setState({ view: 'model' })}>
          ← Back
        </button>
      </div>
      <Suspense fallback={<p className="hint">Loading…</p>}>
        <LibraryPanel refreshKey={modelId} onOpen={showOpenedModel} />
        <RunHistory refreshKey={modelId} />
      </Suspense>
    </div>
  );
}
