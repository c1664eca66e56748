import { useId, useState } from 'react';
import { type ChecksumCheck, expectedChecksumSchema, type ModelInfo } from '../../shared/contract/index.ts';
import { ClientError, client } from '../client/index.ts';

/** The checksum the user was given (SHA-256 or MD5), compared by main; match and mismatch are unmissable. */
export function ExpectedChecksum(props: { model: ModelInfo }) {
  const fieldId = useId();
  const [text, setText] = useState(props.model.checksumCheck?.expected ?? '');
  const [check, setCheck] = useState<ChecksumCheck | null>(props.model.checksumCheck ?? null);
  const [problem, setProblem] = useState<string | null>(null);

  async function verify() {
    const parsed = expectedChecksumSchema.safeParse(text);
    if (!parsed.success) {
      setCheck(null);
      setProblem('Paste an MD5 (32 hex digits) or SHA-256 (64 hex digits) checksum.');
      return;
    }
    setProblem(null);
    try {
      setCheck(
        await client.call('model.verifyChecksum', { modelId: props.model.modelId, expected: parsed.data }),
      );
    } catch (error) {
      setProblem(ClientError.from(error).message);
    }
  }

  return (
    <form
      className="expected-checksum"
      onSubmit={(event) => {
        event.preventDefault();
        void verify();
      }}
    >
      <label htmlFor={fieldId}>Expected checksum</label>
      <div className="row">
        <input
          id={fieldId}
          className="mono"
          value={text}
          placeholder="Paste the SHA-256 or MD5 you were given"
          spellCheck={false}
          aria-invalid={problem !== null || (check !== null && !check.matches)}
          aria-describedby={`${fieldId}-status`}
          onChange={(event) => {
            setText(event.target.value);
            setCheck(null);
            setProblem(null);
          }}
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
        {problem ? <span className="bad">{problem}</span> : null}
        {check?.matches ? (
          <span className="good">
            ✓ Matches the file’s {check.algorithm === 'sha256' ? 'SHA-256' : 'MD5'}.
          </span>
        ) : null}
        {check && !check.matches ? (
          <span className="bad">
            ✗ Does not match: the file’s {check.algorithm === 'sha256' ? 'SHA-256' : 'MD5'} is different. Do
            not use this file until you know why.
          </span>
        ) : null}
      </p>
    </form>
  );
}
