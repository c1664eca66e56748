import { type FormEvent, type JSX, useEffect, useId, useRef, useState } from 'react';
import type { BundleFormat, ExportResult, ModelInfo } from '../../shared/contract/index.ts';
import { bundleNameSchema, versionLabelSchema } from '../../shared/contract/index.ts';
import { describeEmptyCellsLeftOut } from '../../shared/export-drift-text.ts';
import { formatBytes } from '../../shared/format-bytes.ts';
import { DownloadLink } from '../client/DownloadLink.tsx';
import { ClientError, client, newOperationId } from '../client/index.ts';
import { CopyButton } from '../model/CopyButton.tsx';
import { exportBlockedReason } from '../model/checksum-gate.ts';
import { useChecksumGate } from '../model/use-checksum-gate.ts';
import './export.css';

interface Progress {
  stage: string;
  done: number;
  total: number;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'running'; operationId: string; progress: Progress | null }
  | { kind: 'confirm-replace'; target: string }
  | { kind: 'done'; result: ExportResult }
  | { kind: 'failed'; message: string };

const formatLabels: Record<BundleFormat, string> = {
  dir: 'Folder',
  zip: '.zip archive',
  'tar.gz': '.tar.gz archive',
};

/**
 * The Export tab: name, version label, target and format → a Docker deployment bundle that serves this
 * model exactly as ModelDock scores it. Shows progress, then the folder and the commands to run next.
 */
export function ExportPanel(props: { model: ModelInfo }): JSX.Element {
  const { model } = props;
  const ids = {
    name: useId(),
    version: useId(),
    target: useId(),
    format: useId(),
    explain: useId(),
    drift: useId(),
  };
  const [name, setName] = useState('');
  const [version, setVersion] = useState(''); // export.defaults fills it: the library's version label
  const [target, setTarget] = useState('');
  const [format, setFormat] = useState<BundleFormat>('dir');
  // Background rows for POST /explain: off by default, because they copy the analyst's data into the bundle.
  const [explain, setExplain] = useState(false);
  // Live drift: the reference attached in the library, watched by default when there is one (its
  // profile travels, never its rows).
  const [driftReference, setDriftReference] = useState<{ fileName: string; rows: number } | null>(null);
  const [drift, setDrift] = useState(true);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  // The gate is derived from the expected-checksum field's text, the one value behind it (no state here).
  const { gate } = useChecksumGate(model);
  const stopListening = useRef<(() => void) | null>(null);

  useEffect(() => {
    let active = true;
    client
      .call('export.defaults', { modelId: model.modelId })
      .then((defaults) => {
        if (!active) return;
        setName((current) => current || defaults.name);
        setVersion((current) => current || defaults.version);
        setTarget((current) => current || defaults.outDir);
        setDriftReference(defaults.driftReference ?? null);
      })
      .catch(() => {
        // The fields stay editable; the export call itself reports any real problem.
      });
    return () => {
      active = false;
      stopListening.current?.();
    };
  }, [model.modelId]);

  const blocked = exportBlockedReason(model, gate);
  const nameProblem =
    name && !bundleNameSchema.safeParse(name).success
      ? 'Use letters, digits, dots, dashes or underscores.'
      : null;
  const versionProblem =
    version && !versionLabelSchema.safeParse(version).success
      ? 'Use letters, digits, dots, dashes, plus signs or underscores.'
      : null;
  const running = phase.kind === 'running';
  const canExport =
    !blocked &&
    !running &&
    name !== '' &&
    version !== '' &&
    target.trim() !== '' &&
    !nameProblem &&
    !versionProblem;

  async function runExport(force: boolean) {
    const operationId = newOperationId('export');
    setPhase({ kind: 'running', operationId, progress: null });
    stopListening.current?.();
    stopListening.current = client.onEvent('progress', (event) => {
      if (event.operationId !== operationId) return;
      setPhase((current) =>
        current.kind === 'running' && current.operationId === operationId
          ? { ...current, progress: { stage: event.stage, done: event.done, total: event.total ?? 0 } }
          : current,
      );
    });
    try {
      const result = await client.call('export.bundle', {
        modelId: model.modelId,
        outDir: target.trim(),
        name,
        version,
        format,
        force,
        operationId,
        ...(explain ? { explain: {} } : {}),
        drift: driftReference !== null && drift,
      });
      setPhase({ kind: 'done', result });
    } catch (error) {
      const failure = ClientError.from(error);
      if (failure.code === 'output-exists') setPhase({ kind: 'confirm-replace', target: target.trim() });
      else if (failure.code === 'cancelled') setPhase({ kind: 'idle' });
      else setPhase({ kind: 'failed', message: failure.message });
    } finally {
      stopListening.current?.();
      stopListening.current = null;
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (canExport) void runExport(false);
  }

  return (
    <section className="export-panel" aria-labelledby="export-heading" data-testid="export-panel">
      <h2 id="export-heading">Export a deployment bundle</h2>
      <p className="hint">
        A folder with a Dockerfile, a small web service, this model exactly as ModelDock runs it, samples with
        ModelDock's answers, a README and Kubernetes files. Anyone can <code>docker build</code> it and get
        the same probabilities you see here.
      </p>
      {blocked ? (
        <p className="bad" role="alert" data-testid="export-blocked">
          {blocked}
        </p>
      ) : null}
      <form onSubmit={onSubmit} className="export-form">
        <div className="field">
          <label htmlFor={ids.name}>Service name</label>
          <input
            id={ids.name}
            type="text"
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={nameProblem ? true : undefined}
            disabled={running}
          />
          {nameProblem ? <p className="bad">{nameProblem}</p> : null}
        </div>
        <div className="field">
          <label htmlFor={ids.version}>Version label</label>
          <input
            id={ids.version}
            type="text"
            value={version}
            onChange={(event) => setVersion(event.target.value)}
            aria-invalid={versionProblem ? true : undefined}
            disabled={running}
          />
          {versionProblem ? <p className="bad">{versionProblem}</p> : null}
        </div>
        <div className="field wide">
          <label htmlFor={ids.target}>Target folder</label>
          <input
            id={ids.target}
            type="text"
            className="mono"
            value={target}
            onChange={(event) => setTarget(event.target.value)}
            disabled={running}
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.format}>Write as</label>
          <select
            id={ids.format}
            value={format}
            onChange={(event) => setFormat(event.target.value as BundleFormat)}
            disabled={running}
          >
            {(Object.keys(formatLabels) as BundleFormat[]).map((option) => (
              <option key={option} value={option}>
                {formatLabels[option]}
              </option>
            ))}
          </select>
        </div>
        <div className="field wide">
          <div className="field checkbox">
            <input
              id={ids.drift}
              type="checkbox"
              checked={driftReference !== null && drift}
              onChange={(event) => setDrift(event.target.checked)}
              disabled={running || driftReference === null}
              aria-describedby={`${ids.drift}-note`}
            />
            <label htmlFor={ids.drift}>Watch for drift in production</label>
          </div>
          <p id={`${ids.drift}-note`} className="hint">
            {driftReference
              ? `Against the reference attached in the library (${driftReference.fileName}, ${driftReference.rows.toLocaleString()} rows). The bundle carries its profile only — bin edges and shares per input and for the score — never its rows; the service reports PSI in /metrics and /drift.`
              : 'Attach a reference CSV to this model in the library to watch for drift: the bundle then carries its profile (bin edges and shares), never its rows.'}
          </p>
        </div>
        <div className="field wide">
          <div className="field checkbox">
            <input
              id={ids.explain}
              type="checkbox"
              checked={explain}
              onChange={(event) => setExplain(event.target.checked)}
              disabled={running}
              aria-describedby={`${ids.explain}-note`}
            />
            <label htmlFor={ids.explain}>Answer POST /explain (why a payload scores what it does)</label>
          </div>
          <p id={`${ids.explain}-note`} className="hint">
            Copies up to 1,000 background rows into the bundle — from the reference CSV attached in the
            library, else the golden samples. They are your data: whoever gets the bundle can read them.
          </p>
        </div>
        <div className="actions">
          <button type="submit" className="button primary" disabled={!canExport} title={blocked ?? undefined}>
            Export
          </button>
          {phase.kind === 'running' ? (
            <button
              type="button"
              className="button"
              onClick={() =>
                void client
                  .call('operation.cancel', { operationId: phase.operationId })
                  .catch(() => undefined)
              }
            >
              Cancel
            </button>
          ) : null}
        </div>
      </form>

      {phase.kind === 'running' ? (
        <div className="export-progress" aria-live="polite" data-testid="export-progress">
          <progress max={phase.progress?.total || 1} value={phase.progress ? phase.progress.done : 0} />
          <span>{phase.progress?.stage ?? 'Starting'}…</span>
        </div>
      ) : null}

      {phase.kind === 'confirm-replace' ? (
        <div className="notice" role="alertdialog" aria-labelledby="export-replace-text">
          <p id="export-replace-text">
            <code className="mono">{phase.target}</code> already exists. Replace it with the new bundle?
          </p>
          <div className="actions">
            <button type="button" className="button primary" onClick={() => void runExport(true)}>
              Replace
            </button>
            <button type="button" className="button" onClick={() => setPhase({ kind: 'idle' })}>
              Keep it
            </button>
          </div>
        </div>
      ) : null}

      {phase.kind === 'failed' ? (
        <p className="bad" role="alert" data-testid="export-error">
          {phase.message}
        </p>
      ) : null}

      {phase.kind === 'done' ? <ExportDone result={phase.result} /> : null}
    </section>
  );
}

function ExportDone(props: { result: ExportResult }) {
  const { result } = props;
  const commands = result.nextCommands.join('\n');
  const probability = result.example.response.probability;
  return (
    <div className="export-done" data-testid="export-done" aria-live="polite">
      <p className="good">
        Bundle {result.name} {result.version} written ({result.files.length} files,{' '}
        {formatBytes(result.sizeBytes)}).
      </p>
      <p>
        <code className="mono" data-testid="export-path">
          {result.path}
        </code>{' '}
        <CopyButton text={result.path} label="bundle path" />
        {result.format === 'dir' ? null : <DownloadLink path={result.path} testId="export-download" />}
      </p>
      {typeof probability === 'number' ? (
        <p data-testid="export-example">
          For <code className="mono">{JSON.stringify(result.example.payload)}</code> the service answers
          probability <strong>{probability.toFixed(4)}</strong>, as ModelDock does (samples/ and{' '}
          <code>npm run smoke</code> check it).
        </p>
      ) : null}
      {result.drift ? (
        <p data-testid="export-drift">
          Watches drift in {result.drift.features} inputs{result.drift.score ? ' and the score' : ''} against{' '}
          {result.drift.fileName} (its profile only, no rows): see <code>/drift</code> and{' '}
          <code>modeldock_input_psi</code> in <code>/metrics</code>.
        </p>
      ) : null}
      {result.drift?.emptyCellsLeftOut ? (
        <p className="hint" data-testid="export-drift-left-out">
          {describeEmptyCellsLeftOut(result.drift.emptyCellsLeftOut)}
        </p>
      ) : null}
      <h3>Next</h3>
      <pre className="mono export-commands" data-testid="export-commands">
        {commands}
      </pre>
      <CopyButton text={commands} label="commands" />
      <p className="hint">
        The served model's SHA-256 is <code className="mono hash">{result.modelSha256}</code>; the service
        checks it at every start.
      </p>
    </div>
  );
}
