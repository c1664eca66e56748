import { useAppStore } from '../app/app-store.ts';
import { formatBytes } from '../model/format.ts';
import { cancelOpen } from './open-model.ts';

/** Loading state: what is happening, how far, and a way out. The UI stays usable meanwhile. */
export function OpeningPanel() {
  const opening = useAppStore((state) => state.opening);
  if (!opening) return null;
  const fraction = opening.total ? Math.min(1, opening.done / opening.total) : null;
  return (
    <section className="card opening" aria-live="polite" aria-busy="true" data-testid="opening">
      <div className="spinner" aria-hidden="true" />
      <div className="opening-text">
        <h2>Opening {opening.fileName}</h2>
        <p>
          {opening.stage}
          {fraction !== null && opening.unit === 'bytes'
            ? ` — ${formatBytes(opening.done)} of ${formatBytes(opening.total ?? 0)}`
            : ''}
        </p>
        {fraction !== null ? (
          <progress max={1} value={fraction} aria-label={`${opening.stage} progress`} />
        ) : (
          <progress aria-label="Working" />
        )}
      </div>
      <button type="button" className="button" onClick={cancelOpen}>
        Cancel
      </button>
    </section>
  );
}
