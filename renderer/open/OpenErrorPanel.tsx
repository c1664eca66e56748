import { useAppStore } from '../app/app-store.ts';
import { OpenButton } from './OpenButton.tsx';
import { dismissError } from './open-model.ts';
import { RecentModels } from './RecentModels.tsx';

const hints: Partial<Record<string, string>> = {
  'unsupported-format': 'ModelDock opens ONNX models and scikit-learn pickle or joblib files.',
  'corrupt-model': 'The file may be truncated or damaged; export or download it again.',
  'file-not-found': 'The file was moved or deleted after it was chosen.',
  'not-a-file': 'Choose the model file itself, not a folder.',
  'refused-pickle': 'ModelDock never runs code from a pickle; this one would need to.',
  'checksum-mismatch': 'The file is not the one you expected: do not use it until you know why.',
};

/** A refusal for a safety limit (size, memory, time, …) is not about code the file would run. */
const limitHint =
  'A model file never needs this much; one that does may be made to exhaust the app. Nothing from it ran.';

/**
 * The tree-node limit is met by real models too (a forest of deep trees on many rows), so the hint
 * says what to change rather than warning about the file.
 */
const treeNodesHint =
  'Loading this many trees would take several GB. Retrain with fewer or shallower trees (a lower n_estimators or max_depth, or a higher min_samples_leaf).';

function hintFor(error: { code: string; details?: unknown }): string | undefined {
  const limit = (error.details as { limit?: unknown } | undefined)?.limit;
  if (error.code === 'refused-pickle' && limit === 'tree-nodes') return treeNodesHint;
  if (error.code === 'refused-pickle' && typeof limit === 'string') return limitHint;
  return hints[error.code];
}

/** Error state: what happened to which file, a hint, and the ways forward. */
export function OpenErrorPanel() {
  const error = useAppStore((state) => state.openError);
  const model = useAppStore((state) => state.model);
  if (!error) return null;
  return (
    <section className="card error-card" role="alert" data-testid="open-error" data-code={error.code}>
      <h2>{error.fileName ? `Could not open ${error.fileName}` : 'Could not open the model'}</h2>
      <p className="error-message">{error.message}</p>
      {hintFor(error) ? <p className="hint">{hintFor(error)}</p> : null}
      <div className="actions">
        <OpenButton label="Open another model…" primary />
        <button type="button" className="button" onClick={dismissError}>
          {model ? `Back to ${model.file.fileName}` : 'Dismiss'}
        </button>
      </div>
      {model ? null : <RecentModels />}
    </section>
  );
}
