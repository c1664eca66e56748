import { useEffect, useRef, useState } from 'react';
import type { DriftReport, LibraryEntry, ModelInfo } from '../../shared/contract/index.ts';
import { client, newOperationId } from '../client/index.ts';
import { DriftTable } from './DriftTable.tsx';
import { errorMessage } from './format.ts';
import { useBusyAction } from './use-busy-action.ts';

export interface DriftPanelProps {
  model: ModelInfo;
  /** Scroll the panel into view and focus its heading (once per true); then `onRevealed` is called. */
  reveal?: boolean;
  onRevealed?: () => void;
}

/** Drift of a CSV against the reference attached to the open model in the library; attach or replace it here. */
export function DriftPanel(props: DriftPanelProps) {
  const { model, reveal = false, onRevealed } = props;
  const [entry, setEntry] = useState<LibraryEntry | null>(null);
  const [report, setReport] = useState<DriftReport | null>(null);
  const { busy, error, setError, run } = useBusyAction();
  const sectionRef = useRef<HTMLElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Asked for from elsewhere (the Batch tab's drift hint): the panel sits below the others, so bring it into view
  // and move focus to its heading, so keyboard and screen-reader users land where they were sent.
  useEffect(() => {
    if (!reveal) return;
    sectionRef.current?.scrollIntoView({ block: 'start' });
    headingRef.current?.focus({ preventScroll: true });
    onRevealed?.();
  }, [reveal, onRevealed]);

  // The library keeps every opened model by SHA-256; its entry carries the reference.
  useEffect(() => {
    let stale = false;
    client
      .call('library.list', {})
      .then((list) => {
        if (!stale)
          setEntry(list.entries.find((candidate) => candidate.sha256 === model.file.sha256) ?? null);
      })
      .catch((caught) => {
        if (!stale) setError(errorMessage(caught));
      });
    return () => {
      stale = true;
    };
  }, [model.file.sha256, setError]);

  const attach = (file: File) =>
    run('Profiling the reference CSV…', async () => {
      if (!entry) return;
      const csvPath = await client.pathForFile(file);
      setEntry(
        await client.call('library.attachReference', {
          id: entry.id,
          csvPath,
          operationId: newOperationId('ref'),
        }),
      );
      setReport(null);
    });

  const check = (file: File) =>
    run('Reading the CSV…', async () => {
      const csvPath = await client.pathForFile(file);
      setReport(
        await client.call('library.drift', {
          modelId: model.modelId,
          path: csvPath,
          operationId: newOperationId('drift'),
        }),
      );
    });

  const reference = entry?.reference;
  return (
    <section ref={sectionRef} className="drift-panel" aria-label="Drift">
      <h3 ref={headingRef} tabIndex={-1}>
        Drift
      </h3>
      <p className="hint" data-testid="drift-reference">
        {reference
          ? `Reference: ${reference.fileName} (${reference.rows.toLocaleString()} rows). Each batch run is compared with it.`
          : 'No reference CSV attached. Attach one (for example the training data) to see drift after each batch run.'}
      </p>
      <div className="actions">
        <CsvPicker
          label={reference ? 'Replace reference CSV…' : 'Attach reference CSV…'}
          disabled={busy !== null || !entry}
          testId="drift-reference-input"
          onFile={(file) => void attach(file)}
        />
        {reference ? (
          <CsvPicker
            label="Check a CSV against the reference…"
            disabled={busy !== null}
            testId="drift-check-input"
            onFile={(file) => void check(file)}
          />
        ) : null}
      </div>
      {busy ? <p className="hint">{busy}</p> : null}
      {error ? (
        <p className="card error-card" role="alert">
          {error}
        </p>
      ) : null}
      {report ? <DriftTable report={report} /> : null}
    </section>
  );
}

function CsvPicker(props: {
  label: string;
  disabled: boolean;
  testId?: string;
  onFile: (file: File) => void;
}) {
  return (
    <label className={`button${props.disabled ? ' disabled' : ''}`}>
      {props.label}
      <input
        type="file"
        accept=".csv,.tsv,.txt,text/csv"
        className="visually-hidden"
        disabled={props.disabled}
        data-testid={props.testId}
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) props.onFile(file);
        }}
      />
    </label>
  );
}
