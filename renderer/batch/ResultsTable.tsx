import {
  type JSX,
  type KeyboardEvent,
  type PointerEvent,
  type ReactNode,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import type { ResultRowsPage, ResultRowsRequest, ScoringSummary } from '../../shared/contract/index.ts';
import { client } from '../client/index.ts';
import {
  type ColumnLimits,
  clampResize,
  fitColumnWidth,
  gridLayout,
  nameParts,
  narrowestWidth,
} from './column-widths.ts';
import { widestLines } from './measure-text.ts';
import { rowHeight, rowWindow } from './row-window.ts';

/**
 * Every scored row, from main a page at a time (batch.rows): the output can be a million rows, so
 * the table is virtualized by hand — fixed row height, only the visible rows in the DOM, a spacer
 * for the full height (compressed past 8M px, row-window.ts). No table library is installed (package.json).
 * Rows are separate grids, so the browser can't size columns from their cells: they are fitted to the
 * measured names and first rows (column-widths.ts), and the user can resize them.
 */
const viewportRows = 14;
/** Rows fetched around the visible ones, so a small scroll needs no request. */
const overscan = 40;
/** How far an arrow key on a column's resize handle moves its edge, in px. */
const resizeStep = 16;
/** A column's width before its text is measured (the first frame only). */
const unmeasuredPx = 135;

/** Column widths fitted to the names and the first rows fetched, for one set of columns (`key`). */
interface FittedWidths {
  key: string;
  limits: ColumnLimits;
  numberPx: number;
  byColumn: Record<string, ColumnFit>;
}
/** A column's fitted width, and the narrowest it may be made (its name's widest part on a line). */
interface ColumnFit {
  fitPx: number;
  minPx: number;
}

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
  const [scrollTop, setScrollTop] = useState(0);
  const [page, setPage] = useState<ResultRowsPage | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const scroller = useRef<HTMLDivElement | null>(null);
  const head = useRef<HTMLTableSectionElement | null>(null);
  const headerRow = useRef<HTMLTableRowElement | null>(null);
  const filterRow = useRef<HTMLTableRowElement | null>(null);
  const [fitted, setFitted] = useState<FittedWidths | undefined>(undefined);
  /** Widths the user set by dragging or with the arrow keys, by column name. */
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const drag = useRef<{ column: string; startX: number; startPx: number } | undefined>(undefined);
  const [headPx, setHeadPx] = useState(2 * rowHeight);

  const matching = page?.matching ?? 0;
  const layout = rowWindow(scrollTop, matching, viewportRows * rowHeight);
  const { first } = layout;
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
    setScrollTop(0);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [queryKey]);

  const columns = page?.columns ?? [];
  const columnsKey = JSON.stringify(columns);

  /** Text is measured in the header's font (the `#` cell) and the cells' (the filter row's first cell). */
  const measuringHosts = () => {
    const header = headerRow.current?.firstElementChild;
    const cell = filterRow.current?.firstElementChild;
    return header instanceof HTMLElement && cell instanceof HTMLElement ? { header, cell } : undefined;
  };
  /** Each column fitted to its name (with room for the sort mark) and to the rows fetched now. */
  const measure = (names: readonly string[]): Record<string, ColumnFit> | undefined => {
    const hosts = measuringHosts();
    if (!page || !fitted || !hosts) return;
    return fitNames(names, page, hosts.header, hosts.cell, fitted.limits);
  };

  // The first page of a new set of columns sizes them, before the browser paints: a column as wide as
  // its name and its cells, up to a limit. Later pages don't resize them, so scrolling never moves a column.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the columns change; `page` is read for them.
  useLayoutEffect(() => {
    const hosts = measuringHosts();
    if (!page || fitted?.key === columnsKey || !hosts) return;
    const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
    const cellStyle = getComputedStyle(hosts.cell);
    const limits: ColumnLimits = {
      minPx: 4 * rem,
      fitMaxPx: 20 * rem,
      resizeMaxPx: 60 * rem,
      padPx: Number.parseFloat(cellStyle.paddingLeft) + Number.parseFloat(cellStyle.paddingRight),
    };
    const [numberHeaderPx = 0] = widestLines(hosts.header, [['#']]);
    const [numberCellsPx = 0] = widestLines(hosts.cell, [[page.total.toLocaleString('en-US')]]);
    setFitted({
      key: columnsKey,
      limits,
      numberPx: fitColumnWidth({ headerPx: numberHeaderPx, cellsPx: numberCellsPx }, { ...limits, minPx: 0 }),
      byColumn: fitNames(page.columns, page, hosts.header, hosts.cell, limits),
    });
  }, [columnsKey, page !== undefined]);

  // A name in a column narrower than it wraps onto more lines and the header grows taller: the scroller
  // grows with it, so the same number of rows stays in view (Page Down moves by that many).
  useLayoutEffect(() => {
    const element = head.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeadPx(element.offsetHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const limits = fitted?.limits;
  const widthOf = (column: string) => chosen[column] ?? fitted?.byColumn[column]?.fitPx ?? unmeasuredPx;
  const resize = (column: string, px: number) => {
    const narrowest = fitted?.byColumn[column]?.minPx;
    if (limits && narrowest !== undefined)
      setChosen((current) => ({ ...current, [column]: clampResize(px, narrowest, limits) }));
  };
  /** Back to fitting the column, measured again over the rows fetched now (they may be longer). */
  const refit = (column: string) => {
    const measured = measure([column]);
    setChosen(({ [column]: _dropped, ...rest }) => rest);
    if (measured && fitted) setFitted({ ...fitted, byColumn: { ...fitted.byColumn, ...measured } });
  };
  const onResizeKey = (column: string, event: KeyboardEvent<HTMLDivElement>) => {
    const steps: Record<string, number> = { ArrowLeft: -resizeStep, ArrowRight: resizeStep };
    if (event.key === 'Enter') refit(column);
    else if (steps[event.key] !== undefined) resize(column, widthOf(column) + (steps[event.key] as number));
    else return;
    event.preventDefault();
    event.stopPropagation();
  };
  const onResizeStart = (column: string, event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { column, startX: event.clientX, startPx: widthOf(column) };
    event.preventDefault();
  };
  const onResizeMove = (event: PointerEvent<HTMLDivElement>) => {
    const current = drag.current;
    if (current) resize(current.column, current.startPx + event.clientX - current.startX);
  };
  const onResizeEnd = () => {
    drag.current = undefined;
  };
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
    else if (steps[event.key] !== undefined) element.scrollTop += (steps[event.key] as number) / layout.scale;
    else return;
    event.preventDefault();
  };

  const visible = page ? page.rows.slice(first - page.offset, first - page.offset + viewportRows + 1) : [];
  // Absolutely placed rows don't widen the scroller, nor size a column to its cells: the widths are set here.
  const layoutPx = gridLayout(fitted?.numberPx ?? 60, columns.map(widthOf));
  const template = layoutPx.template;
  const width = `${layoutPx.widthPx}px`;
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
        style={{ height: `${headPx + viewportRows * rowHeight + 4}px` }}
        onKeyDown={onKeyDown}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      >
        <table className="results-grid" aria-rowcount={matching + 2}>
          <thead className="results-sticky" ref={head}>
            <tr
              className="results-row results-header"
              ref={headerRow}
              style={{ gridTemplateColumns: template, width }}
            >
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
                      {withBreaks(column)}
                      {active ? (sort?.direction === 'asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                    {/* biome-ignore lint/a11y/useSemanticElements: a focusable splitter (WAI-ARIA window splitter); <hr> takes no keys. */}
                    <div
                      role="separator"
                      aria-orientation="vertical"
                      aria-label={`Resize ${column}`}
                      aria-valuenow={widthOf(column)}
                      aria-valuemin={fitted?.byColumn[column]?.minPx}
                      aria-valuemax={limits?.resizeMaxPx}
                      title="Drag to resize; double-click or Enter to fit"
                      tabIndex={0}
                      className="results-resize"
                      onKeyDown={(event) => onResizeKey(column, event)}
                      onPointerDown={(event) => onResizeStart(column, event)}
                      onPointerMove={onResizeMove}
                      onPointerUp={onResizeEnd}
                      onPointerCancel={onResizeEnd}
                      onDoubleClick={() => refit(column)}
                    />
                  </th>
                );
              })}
            </tr>
            <tr
              className="results-row results-filters"
              ref={filterRow}
              style={{ gridTemplateColumns: template, width }}
            >
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
          <tbody className="results-spacer" style={{ height: `${layout.spacerPx}px`, width }}>
            {visible.map((row, k) => (
              <tr
                className="results-row"
                key={row.row}
                data-testid="results-row"
                aria-rowindex={first + k + 3}
                style={{ gridTemplateColumns: template, width, top: `${layout.top(first + k)}px` }}
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

/**
 * Each name's fitted width (its header with either sort mark, and its cells in the page) and its
 * narrowest (its name's widest part), measured in one layout for all.
 */
function fitNames(
  names: readonly string[],
  page: ResultRowsPage,
  headerHost: HTMLElement,
  cellHost: HTMLElement,
  limits: ColumnLimits,
): Record<string, ColumnFit> {
  const indexes = names.map((name) => page.columns.indexOf(name));
  const headers = widestLines(headerHost, [
    ...names.map((name) => [`${name} ▲`, `${name} ▼`]),
    ...names.map(nameParts),
  ]);
  const cells = widestLines(
    cellHost,
    indexes.map((index) => page.rows.map((row) => row.cells[index] ?? '')),
  );
  return Object.fromEntries(
    names.map((name, k) => [
      name,
      {
        fitPx: fitColumnWidth({ headerPx: headers[k] ?? 0, cellsPx: cells[k] ?? 0 }, limits),
        minPx: narrowestWidth(headers[names.length + k] ?? 0, limits),
      },
    ]),
  );
}

/** A column name with a line-break opportunity between its parts (nameParts), so a narrow column wraps it there. */
function withBreaks(name: string): ReactNode[] {
  let at = 0;
  return nameParts(name).flatMap((part) => {
    const start = at;
    at += part.length;
    // Keyed by the break's place in the name, which is fixed for a name.
    return start === 0 ? [part] : [<wbr key={start} />, part];
  });
}

/** The column the score range applies to: the positive-class probability, or a regression's value. */
export function scoreColumnOf(summary: ScoringSummary): string | undefined {
  const { addedColumns } = summary;
  return (
    addedColumns.find((name) => name.endsWith('predicted_probability')) ??
    addedColumns.find((name) => name.endsWith('predicted_value'))
  );
}
