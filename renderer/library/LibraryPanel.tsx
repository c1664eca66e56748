import { useCallback, useEffect, useId, useState } from 'react';
import type { LibraryEntry, LibraryNotice, ModelInfo } from '../../shared/contract/index.ts';
import { client, newOperationId } from '../client/index.ts';
import { errorMessage, formatBytes, formatDate } from './format.ts';
import { useBusyAction } from './use-busy-action.ts';

export interface LibraryPanelProps {
  /** Called with the opened model when the user opens an entry (the app shows it as the current model). */
  onOpen?: (model: ModelInfo) => void;
  /** Any value that changes when the library may have changed (e.g. the open model's id): reloads the list. */
  refreshKey?: unknown;
}

/** Every model ModelDock has kept: search, rename, relabel, notes, reference CSV, open and remove. */
export function LibraryPanel(props: LibraryPanelProps) {
  const { onOpen, refreshKey } = props;
  const [query, setQuery] = useState('');
  const [entries, setEntries] = useState<LibraryEntry[]>([]);
  const [notice, setNotice] = useState<LibraryNotice | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [layout, setLayout] = useState<'versions' | 'table'>('versions');
  const searchId = useId();

  const load = useCallback(async (search: string) => {
    try {
      const result = await client.call('library.list', { query: search || undefined });
      setEntries(result.entries);
      setNotice(result.notice ?? null);
      setError(null);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refreshKey;
    void load(query);
  }, [load, query, refreshKey]);

  function replace(updated: LibraryEntry) {
    setEntries((current) => current.map((entry) => (entry.id === updated.id ? updated : entry)));
  }

  async function dismissNotice() {
    await client.call('library.dismissNotice', {});
    setNotice(null);
  }

  return (
    <section className="library card" aria-label="Model library">
      <div className="library-header">
        <h2>Library</h2>
        <label htmlFor={searchId} className="visually-hidden">
          Search the library
        </label>
        <input
          id={searchId}
          type="search"
          placeholder="Search name, version, notes, checksum…"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <fieldset className="segmented" aria-label="Library layout">
          <button
            type="button"
            className="button"
            aria-pressed={layout === 'versions'}
            onClick={() => setLayout('versions')}
          >
            Versions
          </button>
          <button
            type="button"
            className="button"
            aria-pressed={layout === 'table'}
            onClick={() => setLayout('table')}
            data-testid="library-table-view"
          >
            Table
          </button>
        </fieldset>
      </div>
      {notice ? (
        <div className="notice" role="status" data-testid="library-notice">
          <span>{notice.message}</span>
          <button type="button" className="link-button" onClick={dismissNotice}>
            Dismiss
          </button>
        </div>
      ) : null}
      {error ? (
        <p className="card error-card" role="alert">
          {error}
        </p>
      ) : null}
      {loading ? <p className="hint">Loading the library…</p> : null}
      {!loading && entries.length === 0 ? (
        <p className="hint">
          {query
            ? `No model matches “${query}”.`
            : 'Models you open are kept here, with their checksums and versions.'}
        </p>
      ) : null}
      {layout === 'table' ? (
        <LibraryTable entries={entries} onOpen={onOpen} />
      ) : (
        groupByLineage(entries).map((group) => (
          <section
            key={group.key}
            className="library-lineage"
            aria-label={`${group.name}: ${group.entries.length} ${group.entries.length === 1 ? 'version' : 'versions'}`}
            data-testid="library-lineage"
          >
            <h3>
              {group.name}{' '}
              <span className="hint">
                {group.entries.length === 1 ? '1 version' : `${group.entries.length} versions, same inputs`}
              </span>
            </h3>
            <ul className="library-list">
              {group.entries.map((entry) => (
                <LibraryRow
                  key={entry.id}
                  entry={entry}
                  onChange={replace}
                  onRemoved={() => setEntries((current) => current.filter((other) => other.id !== entry.id))}
                  onOpen={onOpen}
                />
              ))}
            </ul>
          </section>
        ))
      )}
    </section>
  );
}

/**
 * Versions of one model together (entries sharing a lineage: the same inputs), oldest first so v1 comes
 * before v2 as they were added; the most recently used model first.
 */
export function groupByLineage(
  entries: readonly LibraryEntry[],
): Array<{ key: string; name: string; entries: LibraryEntry[] }> {
  const groups = new Map<string, LibraryEntry[]>();
  for (const entry of entries) {
    const key = entry.lineage ?? `entry:${entry.id}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  // ISO timestamps sort as text.
  const latest = (list: LibraryEntry[]) =>
    list
      .map((entry) => entry.lastOpenedAt)
      .sort()
      .at(-1) ?? '';
  return [...groups.entries()]
    .map(([key, list]) => {
      const sorted = [...list].sort((a, b) => (a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : 0));
      return { key, name: sorted[0]?.name ?? '', entries: sorted };
    })
    .sort((a, b) => (latest(a.entries) < latest(b.entries) ? 1 : -1));
}

type SortKey = 'name' | 'versionLabel' | 'fileName' | 'sizeBytes' | 'addedAt' | 'lastOpenedAt' | 'reference';

const tableColumns: Array<{ key: SortKey; label: string }> = [
  { key: 'name', label: 'Name' },
  { key: 'versionLabel', label: 'Version' },
  { key: 'fileName', label: 'File' },
  { key: 'sizeBytes', label: 'Size' },
  { key: 'addedAt', label: 'Added' },
  { key: 'lastOpenedAt', label: 'Last opened' },
  { key: 'reference', label: 'Reference' },
];

function sortValue(entry: LibraryEntry, key: SortKey): string | number {
  if (key === 'reference') return entry.reference?.fileName ?? '';
  if (key === 'sizeBytes') return entry.sizeBytes;
  return entry[key].toLowerCase();
}

/** Every entry as one sortable table: click a column heading to sort by it, again to reverse. */
function LibraryTable(props: { entries: LibraryEntry[]; onOpen?: (model: ModelInfo) => void }) {
  const [sort, setSort] = useState<{ key: SortKey; ascending: boolean }>({
    key: 'addedAt',
    ascending: false,
  });
  const { busy, error, run } = useBusyAction();
  const rows = [...props.entries].sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    const order = x < y ? -1 : x > y ? 1 : a.addedAt < b.addedAt ? -1 : 1;
    return sort.ascending ? order : -order;
  });
  return (
    <>
      <table className="io-table library-table" data-testid="library-table">
        <thead>
          <tr>
            {tableColumns.map((column) => (
              <th
                key={column.key}
                aria-sort={sort.key === column.key ? (sort.ascending ? 'ascending' : 'descending') : 'none'}
              >
                <button
                  type="button"
                  className="link-button"
                  onClick={() =>
                    setSort((current) => ({
                      key: column.key,
                      ascending: current.key === column.key ? !current.ascending : true,
                    }))
                  }
                >
                  {column.label}
                  {sort.key === column.key ? (sort.ascending ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((entry) => (
            <tr key={entry.id} data-testid="library-table-row">
              <td>{entry.name}</td>
              <td>
                <span className="version-badge">{entry.versionLabel}</span>
              </td>
              <td title={entry.sha256}>{entry.fileName}</td>
              <td title={`${entry.sizeBytes} bytes`}>{formatBytes(entry.sizeBytes)}</td>
              <td>{formatDate(entry.addedAt)}</td>
              <td>{formatDate(entry.lastOpenedAt)}</td>
              <td>{entry.reference ? `${entry.reference.fileName} (${entry.reference.rows} rows)` : '—'}</td>
              <td>
                {props.onOpen ? (
                  <button
                    type="button"
                    className="button"
                    disabled={busy !== null}
                    onClick={() =>
                      run('Opening', async () => {
                        props.onOpen?.(
                          await client.call('library.open', {
                            id: entry.id,
                            operationId: newOperationId('open'),
                          }),
                        );
                      })
                    }
                  >
                    Open
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error ? (
        <p className="bad" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

function LibraryRow(props: {
  entry: LibraryEntry;
  onChange: (entry: LibraryEntry) => void;
  onRemoved: () => void;
  onOpen?: (model: ModelInfo) => void;
}) {
  const { entry, onChange, onRemoved, onOpen } = props;
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(entry.name);
  const [versionLabel, setVersionLabel] = useState(entry.versionLabel);
  const [notes, setNotes] = useState(entry.notes);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const { busy, error, run } = useBusyAction();
  const ids = useId();

  const save = () =>
    run('Saving', async () => {
      let updated = entry;
      if (name.trim() !== entry.name) updated = await client.call('library.rename', { id: entry.id, name });
      if (versionLabel.trim() !== entry.versionLabel) {
        updated = await client.call('library.relabel', { id: entry.id, versionLabel });
      }
      if (notes !== entry.notes) updated = await client.call('library.setNotes', { id: entry.id, notes });
      onChange(updated);
      setEditing(false);
    });

  const attachReference = (file: File) =>
    run('Profiling the reference CSV', async () => {
      const csvPath = await client.pathForFile(file);
      onChange(
        await client.call('library.attachReference', {
          id: entry.id,
          csvPath,
          operationId: newOperationId('ref'),
        }),
      );
    });

  return (
    <li
      className="library-entry"
      data-testid="library-entry"
      aria-label={`${entry.name} ${entry.versionLabel}`}
    >
      {editing ? (
        <div className="library-edit">
          <div className="field">
            <label htmlFor={`${ids}-name`}>Name</label>
            <input id={`${ids}-name`} value={name} onChange={(event) => setName(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-version`}>Version label</label>
            <input
              id={`${ids}-version`}
              value={versionLabel}
              onChange={(event) => setVersionLabel(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-notes`}>Notes</label>
            <textarea
              id={`${ids}-notes`}
              rows={2}
              value={notes}
              onChange={(event) => setNotes(event.target.value)}
            />
          </div>
          <div className="actions">
            <button
              type="button"
              className="button primary"
              onClick={save}
              disabled={busy !== null || !name.trim() || !versionLabel.trim()}
            >
              Save
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="library-summary">
          <div>
            <span className="library-name">{entry.name}</span>{' '}
            <span className="version-badge">{entry.versionLabel}</span>
          </div>
          <div className="facts">
            <span>{entry.fileName}</span>
            <span>{formatBytes(entry.sizeBytes)}</span>
            <span className="mono" title={entry.sha256}>
              sha256 {entry.sha256.slice(0, 12)}…
            </span>
            <span>added {formatDate(entry.addedAt)}</span>
          </div>
          {entry.notes ? <p className="library-notes">{entry.notes}</p> : null}
          <p className="hint">
            {entry.reference
              ? `Reference: ${entry.reference.fileName} (${entry.reference.rows} rows)${entry.reference.carriedFrom ? `, carried over from ${entry.reference.carriedFrom}` : ''}`
              : 'No reference CSV: attach one (e.g. the training data) to see drift.'}
          </p>
        </div>
      )}
      {!editing ? (
        <div className="actions">
          {onOpen ? (
            <button
              type="button"
              className="button primary"
              disabled={busy !== null}
              onClick={() =>
                run('Opening', async () => {
                  onOpen(
                    await client.call('library.open', { id: entry.id, operationId: newOperationId('open') }),
                  );
                })
              }
            >
              Open
            </button>
          ) : null}
          <button type="button" className="button" onClick={() => setEditing(true)}>
            Edit
          </button>
          <label className="button">
            {entry.reference ? 'Replace reference CSV' : 'Attach reference CSV'}
            <input
              type="file"
              accept=".csv,.tsv,.txt,text/csv"
              className="visually-hidden"
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = '';
                if (file) void attachReference(file);
              }}
            />
          </label>
          {entry.reference ? (
            <button
              type="button"
              className="button"
              onClick={() =>
                run('Detaching', async () =>
                  onChange(await client.call('library.detachReference', { id: entry.id })),
                )
              }
            >
              Detach reference
            </button>
          ) : null}
          {confirmRemove ? (
            <fieldset className="confirm" aria-label="Confirm removal">
              Remove {entry.name} {entry.versionLabel} and its stored copy?
              <button
                type="button"
                className="button danger"
                onClick={() =>
                  run('Removing', async () => {
                    await client.call('library.remove', { id: entry.id });
                    onRemoved();
                  })
                }
              >
                Yes, remove
              </button>
              <button type="button" className="button" onClick={() => setConfirmRemove(false)}>
                Keep
              </button>
            </fieldset>
          ) : (
            <button type="button" className="button" onClick={() => setConfirmRemove(true)}>
              Remove…
            </button>
          )}
        </div>
      ) : null}
      {busy ? (
        <p className="hint" role="status">
          {busy}…
        </p>
      ) : null}
      {error ? (
        <p className="bad" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}
