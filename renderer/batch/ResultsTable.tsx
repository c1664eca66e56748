import { type JSX, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { ResultRowsPage, ResultRowsRequest, ScoringSummary } from '../../shared/contract/index.ts';
import { client } from '../client/index.ts';

/**
 * Every scored row, from main a page at a time (batch.rows): the output can be a million rows, so
 * the table is virtualized by hand — fixed row height, only the visible rows in the DOM, a spacer
 * for the full height. No table library is installed (package.json) and this needs ~40 lines.
 */
const rowHeight = 28;
const viewportRows = 14;
/** Rows fetched around the visible ones, so a small scroll needs no request. */
const overscan = 40;

type Sort = NonNullable<ResultRowsRequest['sort']>;

export function ResultsTable(props: {
  summary: ScoringSummary;
  scoreColumn: string | undefined;
}): JSX.Element {
  const { summary, scoreColumn } = props;
  const [sort, setSort] = useState<Sort | undefined>(undefined);
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [first, setFirst] = useState(0);
  const [page, setPage] = useState<ResultRowsPage | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const scroller = useRef<HTMLDivElement | null>(null);

  const from = Math.max(0, first - overscan);
  const range =
    scoreColumn && (min.trim() !== '' || max.trim() !== '')
      ? {
          column: scoreColumn,
          ...(min.trim() !== '' && Number.isFinite(Number(min)) ? { min: Number(min) } : {}),
          ...(max.trim() !== '' && Number.isFinite(Number(max)) ? { max: Number(max) } : {}),
        }
      : undefined;
  const request: ResultRowsRequest = {
    path: summary.outputPath,
    delimiter: summary.dialect.delimiter,
    numberFormat: summary.numberFormat,
    offset: from,
    limit: viewportRows + 2 * overscan,
    ...(sort ? { sort } : {}),
    filters,
    ...(range ? { range } : {}),
  };
  const key = JSON.stringify(request);
  const covered =
    page !== undefined && first >= page.offset && first + viewportRows <= page.offset + page.rows.length;
  const queryKey = JSON.stringify({ ...request, offset: 0 });
  const lastQuery = useRef('');

  // biome-ignore lint/correctness/useExhaustiveDependencies: the request is rebuilt each render; `key` is its identity.
  useEffect(() => {
    // Scrolling within the fetched rows of the same query needs no request.
    if (covered && lastQuery.current === queryKey) return;
    let stale = false;
    setLoading(true);
    const timer = setTimeout(() => {
      client.call('batch.rows', request).then(
        (result) => {
          if (stale) return;
          lastQuery.current = queryKey;
          setPage(result);
          setError(undefined);
          setLoading(false);
        },
        (failure: unknown) => {
          if (stale) return;
          const message = (failure as Error).message ?? String(failure);
          // A newer request replaced this one in main; its own answer follows.
          if ((failure as { code?: string }).code !== 'cancelled') setError(message);
          setLoading(false);
        },
      );
    }, 120);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [key]);

  // A new sort or filter starts at the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the query (not the offset) changes.
  useEffect(() => {
    setFirst(0);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [queryKey]);

  const columns = page?.columns ?? [];
  const matching = page?.matching ?? 0;
  const toggleSort = (column: string) =>
    setSort((current) =>
      current?.column !== column
        ? { column, direction: column === scoreColumn ? 'desc' : 'asc' }
        : { column, direction: current.direction === 'asc' ? 'desc' : 'asc' },
    );
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const element = scroller.current;
    if (!element) return;
    const steps: Record<string, number> = {
      ArrowDown: rowHeight,
      ArrowUp: -rowHeight,
      PageDown: rowHeight * (viewportRows - 1),
      PageUp: -rowHeight * (viewportRows - 1),
    };
    if (event.key === 'Home') element.scrollTop = 0;
    else if (event.key === 'End') element.scrollTop = element.scrollHeight;
    else if (steps[event.key] !== undefined) element.scrollTop += steps[event.key] as number;
    else return;
    event.preventDefault();
  };

  const visible = page ? page.rows.slice(first - page.offset, first - page.offset + viewportRows + 1) : [];
  // Fixed column widths: absolutely placed rows don't widen the scroller, so the width is set here.
  const template = `4.5rem repeat(${Math.max(columns.length, 1)}, 9rem)`;
  const width = `${4.5 + 9 * Math.max(columns.length, 1)}rem`;
  return (
    <section className="card results-table" aria-label="Scored rows" data-testid="results-table">
      <div className="results-head">
        <h3>Scored rows</h3>
        <span data-testid="results-count" aria-live="polite">
          {page
            ? `${matching.toLocaleString('en-US')} of ${page.total.toLocaleString('en-US')} rows`
            : 'Reading the output…'}
          {loading && page ? ' · updating…' : ''}
        </span>
        {scoreColumn ? (
          <fieldset className="results-range">
            <legend>{scoreColumn}</legend>
            <label>
              min{' '}
              <input
                type="number"
                step="0.01"
                value={min}
                data-testid="results-min"
                onChange={(event) => setMin(event.target.value)}
              />
            </label>
            <label>
              max{' '}
              <input
                type="number"
                step="0.01"
                value={max}
                data-testid="results-max"
                onChange={(event) => setMax(event.target.value)}
              />
            </label>
          </fieldset>
        ) : null}
      </div>
      {error ? (
        <p className="bad" role="alert" data-testid="results-error">
          {error}
        </p>
      ) : null}
      {/* A real table, laid out as a grid: fixed-height rows placed absolutely in a spacer as tall as all rows. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: keys scroll the table; the controls inside are buttons and inputs. */}
      <div
        className="results-scroll"
        ref={scroller}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroller takes arrow keys and Page Up/Down.
        tabIndex={0}
        data-testid="results-scroll"
        style={{ height: `${(viewportRows + 2) * rowHeight + 4}px` }}
        onKeyDown={onKeyDown}
        onScroll={(event) => setFirst(Math.floor(event.currentTarget.scrollTop / rowHeight))}
      >
        <table className="results-grid" aria-rowcount={matching + 2}>
          <thead className="results-sticky">
            <tr className="results-row results-header" style={{ gridTemplateColumns: template, width }}>
              <th scope="col">#</th>
              {columns.map((column) => {
                const active = sort?.column === column;
                return (
                  <th
                    scope="col"
                    key={column}
                    aria-sort={active ? (sort?.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
                  >
                    <button
                      type="button"
                      className="results-sort"
                      title={column}
                      data-testid={`results-sort-${column}`}
                      onClick={() => toggleSort(column)}
                    >
                      {column}
                      {active ? (sort?.direction === 'asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                  </th>
                );
              })}
            </tr>
            <tr className="results-row results-filters" style={{ gridTemplateColumns: template, width }}>
              <td />
              {columns.map((column) => (
                <td key={column}>
                  <input
                    type="search"
                    placeholder="contains…"
                    aria-label={`Filter ${column}`}
                    data-testid={`results-filter-${column}`}
                    value={filters[column] ?? ''}
                    onChange={(event) => setFilters({ ...filters, [column]: event.target.value })}
                  />
                </td>
              ))}
            </tr>
          </thead>
          <tbody className="results-spacer" style={{ height: `${matching * rowHeight}px`, width }}>
            {visible.map((row, k) => (
              <tr
                className="results-row"
                key={row.row}
                data-testid="results-row"
                aria-rowindex={first + k + 3}
                style={{ gridTemplateColumns: template, width, top: `${(first + k) * rowHeight}px` }}
              >
                <th scope="row">{(row.row + 1).toLocaleString('en-US')}</th>
                {columns.map((column, c) => (
                  <td key={column} title={row.cells[c]}>
                    {row.cells[c]}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The column the score range applies to: the positive-class probability, or a regression's value. */
export function scoreColumnOf(summary: ScoringSummary): string | undefined {
  const { addedColumns } = summary;
  return (
    addedColumns.find((name) => name.endsWith('predicted_probability')) ??
    addedColumns.find((name) => name.endsWith('predicted_value'))
  );
}
