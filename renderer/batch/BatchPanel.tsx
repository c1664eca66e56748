import { type JSX, useCallback, useEffect, useRef } from 'react';
import type { ModelInfo } from '../../shared/contract/index.ts';
import { DownloadLink } from '../client/DownloadLink.tsx';
import { ClientError, client, newOperationId } from '../client/index.ts';
import { BatchExplainOption } from '../explain/BatchExplain.tsx';
import { BatchDriftView, driftOf } from './BatchDrift.tsx';
import { BatchReportView } from './BatchReportView.tsx';
import { useBatchState, useBatchStore } from './batch-store.ts';
import { blockedReason, CsvReadSettings, csvSetup, UnseenCategoriesList } from './CsvReadSettings.tsx';
import { chooseBatchCsv } from './choose-csv.ts';
import { ResultsTable, scoreColumnOf } from './ResultsTable.tsx';
import './batch.css';

export { defaultOutputPath } from './choose-csv.ts';

function reportPathFor(outputPath: string): string {
  return `${outputPath.replace(/\.csv$/i, '')}.report.html`;
}

const asClientError = (error: unknown) => ClientError.from(error);

/** Batch CSV scoring for one open model: choose a file, check the mapping and missing values, run, read the report. */
export function BatchPanel(props: { model: ModelInfo }): JSX.Element {
  const { model } = props;
  const [state, update] = useBatchState(model.modelId);
  const {
    csvPath,
    uploading,
    dialect,
    numberFormat,
    unseenCategories,
    mappingEdits,
    missing,
    labelColumn,
    explain,
    outputPath,
    inspection,
    check,
    checking,
    progress,
    running,
    summary,
    threshold,
    error,
    confirmOverwrite,
    reportPath,
    savedReport,
    drift,
  } = state;
  const checkId = useRef<string | null>(null);
  const runButton = useRef<HTMLButtonElement | null>(null);

  // The Score button is disabled during a run, which drops keyboard focus to the page; give it back when
  // the run ends, unless the user has moved on to something else meanwhile.
  const wasRunning = useRef(running !== null);
  useEffect(() => {
    const ended = wasRunning.current && running === null;
    wasRunning.current = running !== null;
    if (ended && (document.activeElement === null || document.activeElement === document.body)) {
      runButton.current?.focus();
    }
  }, [running]);

  const setup = useCallback(
    (path: string) =>
      csvSetup(model.modelId, path, { dialect, mappingEdits, missing, numberFormat, unseenCategories }),
    [model.modelId, dialect, mappingEdits, missing, numberFormat, unseenCategories],
  );

  const chooseFile = (file: File) => chooseBatchCsv(model.modelId, file);

  // Inspect (quick) whenever the file or a setting changes; then count missing values over the whole
  // file. Skipped when the stored inspection was made with the same settings (the panel was remounted).
  useEffect(() => {
    if (!csvPath) return;
    const request = setup(csvPath);
    const key = JSON.stringify(request);
    if (useBatchStore.getState().byModel[model.modelId]?.inspectedKey === key) return;
    let stale = false;
    const operationId = newOperationId('batch-check');
    (async () => {
      try {
        const result = await client.call('batch.inspect', request);
        if (stale) return;
        update((current) => ({
          inspection: result,
          error: null,
          labelColumn:
            current.labelColumn === '' && result.suggestedLabelColumn
              ? result.suggestedLabelColumn
              : current.labelColumn,
        }));
        if (result.unmappedInputs.length > 0) {
          update({ check: null, inspectedKey: key });
          return;
        }
        update({ checking: true });
        if (checkId.current)
          void client.call('operation.cancel', { operationId: checkId.current }).catch(() => undefined);
        checkId.current = operationId;
        const counted = await client.call('batch.check', { ...request, operationId });
        if (!stale) update({ check: counted, inspectedKey: key });
      } catch (caught) {
        const clientError = asClientError(caught);
        if (!stale && clientError.code !== 'cancelled') update({ error: clientError, check: null });
      } finally {
        if (!stale) update({ checking: false });
      }
    })();
    return () => {
      stale = true;
      void client.call('operation.cancel', { operationId }).catch(() => undefined);
    };
  }, [csvPath, setup, model.modelId, update]);

  const run = async (overwrite: boolean) => {
    if (!csvPath) return;
    const operationId = newOperationId('batch-score');
    update({
      running: operationId,
      progress: null,
      error: null,
      confirmOverwrite: null,
      summary: null,
      savedReport: null,
      drift: null,
    });
    try {
      const result = await client.call('batch.score', {
        ...setup(csvPath),
        outputPath,
        overwrite,
        labelColumn: labelColumn || undefined,
        threshold,
        operationId,
        ...(explain ? { explain: {} } : {}),
      });
      update({ summary: result, reportPath: reportPathFor(result.outputPath), drift: driftOf(result) });
    } catch (caught) {
      const clientError = asClientError(caught);
      update({
        error: clientError,
        confirmOverwrite: clientError.code === 'output-exists' ? 'output' : null,
      });
    } finally {
      update({ running: null });
    }
  };

  const cancel = () => {
    if (running) void client.call('operation.cancel', { operationId: running });
  };

  const saveReport = async (overwrite: boolean) => {
    if (!summary) return;
    update({ error: null, confirmOverwrite: null });
    try {
      const saved = await client.call('batch.saveReport', {
        path: reportPath,
        summary,
        modelName: model.file.fileName,
        threshold,
        overwrite,
        // The drift table shown under the report goes into the file too, when there is one.
        drift: drift?.state === 'ready' ? drift.report : undefined,
        // The run's checksums and settings (the history) go into the report's audit section.
        ...(summary.runId ? { runId: summary.runId } : {}),
      });
      update({ savedReport: saved.path });
    } catch (caught) {
      const clientError = asClientError(caught);
      update({
        error: clientError,
        confirmOverwrite: clientError.code === 'output-exists' ? 'report' : null,
      });
    }
  };

  const reason = inspection ? blockedReason(inspection, check) : null;
  const blocked = !inspection || reason !== null || !outputPath || running !== null;
  const fraction = progress?.total ? progress.done / progress.total : 0;

  return (
    <section aria-label="Batch scoring" className="batch-panel" data-testid="batch-panel">
      <h2>Batch scoring</h2>
      <p className="hint">
        Score every row of a CSV file with {model.file.fileName}. The output keeps the original columns and
        adds the predictions; rows that can’t be scored are listed in an errors file, never dropped silently.
      </p>
      <label className="button">
        {csvPath ? 'Choose another CSV…' : 'Choose a CSV file…'}
        <input
          type="file"
          accept=".csv,.tsv,.txt,text/csv"
          className="visually-hidden"
          data-testid="batch-file-input"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void chooseFile(file);
            event.target.value = '';
          }}
        />
      </label>
      {uploading !== null ? <progress value={uploading} max={1} aria-label="Uploading the CSV" /> : null}

      {inspection ? (
        <>
          <CsvReadSettings
            model={model}
            inspection={inspection}
            check={check}
            checking={checking}
            choices={{ dialect, numberFormat, mappingEdits, missing, unseenCategories }}
            onChange={(patch) => update(patch)}
          />
          <div className="batch-run-options">
            <label>
              Label column (for metrics){' '}
              <select
                value={labelColumn}
                data-testid="batch-label-column"
                onChange={(event) => update({ labelColumn: event.target.value })}
              >
                <option value="">none</option>
                {inspection.columns.map((column) => (
                  <option key={column} value={column}>
                    {column}
                  </option>
                ))}
              </select>
            </label>
            <label className="batch-output">
              Output file{' '}
              <input
                type="text"
                value={outputPath}
                data-testid="batch-output-path-input"
                onChange={(event) => update({ outputPath: event.target.value })}
                spellCheck={false}
              />
            </label>
          </div>
          <BatchExplainOption
            modelId={model.modelId}
            rows={check?.rows ?? null}
            checked={explain}
            disabled={running !== null}
            onChange={(checked) => update({ explain: checked })}
          />
          {check ? (
            <UnseenCategoriesList unseen={check.unseenCategories} testId="batch-check-unseen" />
          ) : null}
          {reason ? (
            <p className="bad" role="alert" data-testid="batch-blocked">
              {reason}
            </p>
          ) : null}
          <div className="actions">
            <button
              type="button"
              className="button primary"
              disabled={blocked}
              ref={runButton}
              data-testid="batch-run"
              onClick={() => void run(false)}
            >
              Score {check ? `${check.rows.toLocaleString('en-US')} rows` : 'the file'}
            </button>
            {running ? (
              <button type="button" className="button" data-testid="batch-cancel" onClick={cancel}>
                Cancel
              </button>
            ) : null}
          </div>
        </>
      ) : null}

      {running ? (
        <div className="batch-progress" data-testid="batch-progress" aria-live="polite">
          <progress value={fraction} max={1} aria-label="Scoring progress" />
          <span>
            {progress
              ? `${progress.stage} · ${(progress.stats?.rows ?? 0).toLocaleString('en-US')} rows · ${Math.round(progress.stats?.rowsPerSecond ?? 0).toLocaleString('en-US')} rows/s · about ${Math.ceil(progress.stats?.etaSeconds ?? 0)} s left`
              : 'Starting…'}
          </span>
        </div>
      ) : null}

      {error ? (
        <div className="notice bad" role="alert" data-testid="batch-error">
          <p>{error.message}</p>
          {confirmOverwrite ? (
            <button
              type="button"
              className="button"
              data-testid="batch-confirm-overwrite"
              onClick={() => void (confirmOverwrite === 'output' ? run(true) : saveReport(true))}
            >
              Replace it
            </button>
          ) : null}
        </div>
      ) : null}

      {summary ? (
        <>
          <UnseenCategoriesList unseen={summary.unseenCategories} testId="batch-summary-unseen" />
          <BatchReportView
            summary={summary}
            threshold={threshold}
            onThresholdChange={(value) => update({ threshold: value })}
          />
          {drift ? <BatchDriftView drift={drift} /> : null}
          <ResultsTable key={summary.outputPath} summary={summary} scoreColumn={scoreColumnOf(summary)} />
          <div className="batch-save-report">
            <label>
              Report file{' '}
              <input
                type="text"
                value={reportPath}
                spellCheck={false}
                data-testid="batch-report-path"
                onChange={(event) => update({ reportPath: event.target.value })}
              />
            </label>
            <button
              type="button"
              className="button"
              data-testid="batch-save-report"
              onClick={() => void saveReport(false)}
            >
              Save report as HTML
            </button>
            {savedReport ? (
              <span className="good" data-testid="batch-report-saved">
                Saved {savedReport}
              </span>
            ) : null}
            {savedReport ? <DownloadLink path={savedReport} testId="batch-download-report" /> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
