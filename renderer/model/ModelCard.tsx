import type { ModelInfo } from '../../shared/contract/index.ts';
import { CopyButton } from './CopyButton.tsx';
import { ExpectedChecksum } from './ExpectedChecksum.tsx';
import { formatBytes, formatMs, taskLabels } from './format.ts';
import { InputsTable, OutputsTable } from './IoTables.tsx';

const formatLabels: Record<ModelInfo['format'], string> = {
  onnx: 'ONNX',
  'sklearn-pickle': 'scikit-learn pickle',
  xgboost: 'XGBoost model file',
  'sklearn-joblib': 'scikit-learn joblib',
};

function ChecksumRow(props: { label: string; value: string; testId: string }) {
  return (
    <div className="checksum-row">
      <dt>{props.label}</dt>
      <dd>
        <code className="mono hash" data-testid={props.testId}>
          {props.value}
        </code>
        <CopyButton text={props.value} label={props.label} />
      </dd>
    </div>
  );
}

/** Everything about the file and the model, before anyone trusts it. */
export function ModelCard(props: { model: ModelInfo }) {
  const { model } = props;
  const { metadata } = model;
  const metadataEntries = Object.entries(metadata.metadataProps);
  return (
    <section className="card model-card" aria-labelledby="model-name" data-testid="model-card">
      <header>
        <h1 id="model-name" title={model.file.path}>
          {model.file.fileName}
        </h1>
        <p className="facts">
          <span title={`${model.file.sizeBytes} bytes`}>{formatBytes(model.file.sizeBytes)}</span>
          <span>{formatLabels[model.format]}</span>
          <span data-testid="model-task">{taskLabels[model.task]}</span>
          <span>loaded in {formatMs(model.loadMs)}</span>
        </p>
      </header>
      <dl className="checksums">
        <ChecksumRow label="SHA-256" value={model.file.sha256} testId="sha256" />
        <ChecksumRow label="MD5" value={model.file.md5} testId="md5" />
      </dl>
      <ExpectedChecksum key={model.modelId} model={model} />
      {model.conversion ? (
        <div className="conversion" data-testid="conversion">
          <h2>
            Converted from {model.conversion.from === 'xgboost' ? 'XGBoost' : 'scikit-learn'}
            {model.conversion.sklearnVersion ? ` ${model.conversion.sklearnVersion}` : ''}
          </h2>
          <p>
            Pipeline: <span className="mono">{model.conversion.steps.join(' → ')}</span>
          </p>
          {model.conversion.combinedWith?.length ? (
            <p data-testid="combined-with">
              Combined with{' '}
              <span className="mono">
                {model.conversion.combinedWith.map((file) => file.fileName).join(', ')}
              </span>
              , saved beside it and placed before the model.
            </p>
          ) : null}
          <p>
            The checksums above are of your original file; the converted ONNX model has SHA-256{' '}
            <code className="mono hash">{model.conversion.convertedSha256}</code>.
          </p>
        </div>
      ) : null}
      {model.classLabels ? (
        <p className="classes">
          Classes: {model.classLabels.map(String).join(', ')}
          {model.positiveClass !== undefined
            ? ` (probability reported for ${String(model.positiveClass)})`
            : ''}
        </p>
      ) : null}
      {model.zipMapRemoved ? (
        <p className="hint">
          The model ends in a ZipMap; ModelDock reads the probabilities before it (your file is unchanged).
        </p>
      ) : null}
      <InputsTable model={model} />
      <OutputsTable model={model} />
      <details className="metadata">
        <summary>Metadata</summary>
        <dl>
          <dt>Producer</dt>
          <dd>
            {metadata.producerName || '—'} {metadata.producerVersion}
          </dd>
          <dt>IR version</dt>
          <dd>{metadata.irVersion}</dd>
          <dt>Opsets</dt>
          <dd>
            {metadata.opsetImports.map((opset) => `${opset.domain || 'ai.onnx'} ${opset.version}`).join(', ')}
          </dd>
          <dt>Domain</dt>
          <dd>{metadata.domain || '—'}</dd>
          <dt>Model version</dt>
          <dd>{metadata.modelVersion}</dd>
          {metadata.docString ? (
            <>
              <dt>Description</dt>
              <dd>{metadata.docString}</dd>
            </>
          ) : null}
          {metadataEntries.map(([key, value]) => (
            <div key={key} className="metadata-prop">
              <dt className="mono">{key}</dt>
              <dd className="mono">{value}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}
