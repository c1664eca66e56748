import { useAppStore } from '../app/app-store.ts';
import { formatBytes } from '../model/format.ts';
import { openRecent } from './open-model.ts';

export function RecentModels() {
  const recent = useAppStore((state) => state.recent);
  const currentPath = useAppStore((state) => state.model?.file.path);
  if (recent.length === 0) return null;
  return (
    <nav className="recent" aria-labelledby="recent-heading">
      <h2 id="recent-heading">Recent models</h2>
      <ul>
        {recent.map((entry) => (
          <li key={entry.path}>
            <button
              type="button"
              className="link-button"
              aria-current={entry.path === currentPath ? 'true' : undefined}
              title={entry.path}
              onClick={(event) => {
                // Close the header's Recent menu, if that is where the list is.
                event.currentTarget.closest('details')?.removeAttribute('open');
                void openRecent(entry);
              }}
            >
              <span className="recent-name">{entry.fileName}</span>
              <span className="recent-meta">
                {formatBytes(entry.sizeBytes)} · {entry.sha256.slice(0, 12)}…
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
