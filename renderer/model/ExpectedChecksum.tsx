import { useId, useState } from 'react';
import type { ModelInfo } from '../../shared/contract/index.ts';
import { useAppStore } from '../app/app-store.ts';
import { ClientError, client } from '../client/index.ts';
import { checksumGate } from './checksum-gate.ts';
import { useChecksumGate } from './use-checksum-gate.ts';

/**
 * The checksum the user was given (SHA-256 or MD5, bare or as a sha256sum/md5sum line). Status and the Export
 * gate are derived from the field's text (checksum-gate.ts), so they change as the text does; main is told
 * too, so its own check before export agrees.
 */
export function ExpectedChecksum(props: { model: ModelInfo }) {
  const { model } = props;
  const fieldId = useId();
  const { text, gate } = useChecksumGate(model);
  // Only a failure to reach main is held here; everything else is derived.
  const [syncProblem, setSyncProblem] = useState<string | null>(null);

  function change(next: string) {
    useAppStore.setState({ expectedChecksum: { modelId: model.modelId, text: next } });
    const nextGate = checksumGate(model, next);
    const expected = nextGate.state === 'checked' ? nextGate.check.expected : null;
    client
      .call('model.verifyChecksum', { modelId: model.modelId, expected })
      .then(() => setSyncProblem(null))
      .catch((error: unknown) => setSyncProblem(ClientError.from(error).message));
  }

  const algorithm = gate.state === 'checked' ? (gate.check.algorithm === 'sha256' ? 'SHA-256' : 'MD5') : '';
  const otherFile =
    gate.state === 'checked' && gate.lineFileName !== undefined && gate.lineFileName !== model.file.fileName
      ? ` (the line names ${gate.lineFileName})`
      : '';
  return (
    <form
      className="expected-checksum"
      onSubmit={(event) => {
        event.preventDefault();
        change(text);
      }}
    >
      <label htmlFor={fieldId}>Expected checksum</label>
      <div className="row">
        <input
          id={fieldId}
          className="mono"
          value={text}
          placeholder="Paste the SHA-256 or MD5 you were given, or a sha256sum line"
          spellCheck={false}
          aria-invalid={gate.state === 'unreadable' || (gate.state === 'checked' && !gate.check.matches)}
          aria-describedby={`${fieldId}-status`}
          onChange={(event) => change(event.target.value)}
        />
        <button type="submit" className="button">
          Check
        </button>
      </div>
      <p
        id={`${fieldId}-status`}
        className="checksum-status"
        aria-live="polite"
        data-testid="checksum-status"
      >
        {gate.state === 'unreadable' ? (
          <span className="bad">This is not a checksum ModelDock can read: {gate.message}.</span>
        ) : null}
        {gate.state === 'checked' && gate.check.matches ? (
          <span className="good">
            ✓ Matches the file’s {algorithm}
            {otherFile}.
          </span>
        ) : null}
        {gate.state === 'checked' && !gate.check.matches ? (
          <span className="bad">
            ✗ Does not match: the file’s {algorithm} is different{otherFile}. Do not use this file until you
            know why.
          </span>
        ) : null}
        {syncProblem ? <span className="bad">{syncProblem}</span> : null}
      </p>
    </form>
  );
}
