import { useEffect } from 'react';
import { client, hasLaunchToken } from '../client/index.ts';
import { EmptyState } from '../open/EmptyState.tsx';
import { OpenButton } from '../open/OpenButton.tsx';
import { OpenErrorPanel } from '../open/OpenErrorPanel.tsx';
import { OpeningPanel } from '../open/OpeningPanel.tsx';
import { openModel, showOpenedModel } from '../open/open-model.ts';
import { RecentModels } from '../open/RecentModels.tsx';
import { useAppStore } from './app-store.ts';
import { LibraryView } from './LibraryView.tsx';
import { ModelView } from './ModelView.tsx';
import { useWindowDrop } from './useWindowDrop.ts';

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/**
 * Browser mode started with a model (`npm run web -- model.onnx`): the host opened it already and names it in
 * the address (?model=<modelId>), so the page shows that model rather than opening it a second time.
 */
async function showModelOpenedAtStart(): Promise<void> {
  const modelId = new URLSearchParams(window.location.search).get('model');
  if (!modelId) return;
  const open = await client.call('model.list', {}).catch(() => []);
  const info = open.find((candidate) => candidate.modelId === modelId);
  const { model, opening } = useAppStore.getState();
  if (info && !model && !opening) showOpenedModel(info);
}

/** Opens models the host was asked to open (command line, a second launch, a file association). */
function useHostOpenRequests() {
  useEffect(() => {
    void client.pendingOpenPaths().then((paths) => {
      const [first] = paths;
      if (first) void openModel({ path: first, fileName: baseName(first) });
      else void showModelOpenedAtStart();
    });
    const stopOpen = client.onOpenPath((path) => void openModel({ path, fileName: baseName(path) }));
    const stopMenu = client.onMenuCommand((command) => {
      if (command === 'export') useAppStore.setState({ activeTab: 'export' });
    });
    return () => {
      stopOpen();
      stopMenu();
    };
  }, []);
}

export function App() {
  const dragging = useWindowDrop();
  useHostOpenRequests();
  const model = useAppStore((state) => state.model);
  const opening = useAppStore((state) => state.opening);
  const openError = useAppStore((state) => state.openError);
  const notice = useAppStore((state) => state.notice);
  const view = useAppStore((state) => state.view);

  return (
    <div className="app" data-dragging={dragging || undefined}>
      <header className="app-header">
        <span className="brand">ModelDock</span>
        <div className="header-actions">
          <button
            type="button"
            className="button"
            aria-pressed={view === 'library'}
            onClick={() => useAppStore.setState({ view: view === 'library' ? 'model' : 'library' })}
          >
            Library
          </button>
          {model ? (
            <details className="recent-menu">
              <summary>Recent</summary>
              <RecentModels />
            </details>
          ) : null}
          <OpenButton testId="open-file-input" />
        </div>
      </header>
      <main className="app-main">
        {hasLaunchToken ? null : (
          <div className="card error-card" role="alert" data-testid="missing-token">
            This tab was opened without its launch token, so ModelDock can't answer it. Open the address that{' '}
            <code>npm run web</code> printed (it ends in <code>#token=…</code>).
          </div>
        )}
        {notice ? (
          <div className="notice" role="status" data-testid="notice">
            <span>{notice}</span>
            <button
              type="button"
              className="link-button"
              onClick={() => useAppStore.setState({ notice: null })}
            >
              Dismiss
            </button>
          </div>
        ) : null}
        <OpeningPanel />
        {openError ? <OpenErrorPanel /> : null}
        {!openError && view === 'library' ? <LibraryView /> : null}
        {!openError && view === 'model' && model ? <ModelView model={model} /> : null}
        {!openError && view === 'model' && !model && !opening ? <EmptyState /> : null}
      </main>
      {dragging ? (
        <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
          <p>{model ? 'Drop a model to open it, or a CSV to score it' : 'Drop to open the model'}</p>
        </div>
      ) : null}
    </div>
  );
}
