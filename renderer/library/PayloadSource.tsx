import { useEffect, useId, useState } from 'react';
import type { ModelInfo } from '../../shared/contract/index.ts';

/** A starting payload when the app gives none: the first known category, 0 for numbers, false for booleans. */
export function defaultPayload(model: ModelInfo): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const input of model.inputs) {
    const one = input.kind === 'string' ? (input.categories?.[0] ?? '') : input.kind === 'bool' ? false : 0;
    payload[input.name] = input.width > 1 ? Array.from({ length: input.width }, () => one) : one;
  }
  return payload;
}

/**
 * The payload a library panel works on: the one the app passes (the Try tab's current payload), or an
 * editable JSON object when the panel stands alone.
 */
export function usePayloadSource(model: ModelInfo, given: Record<string, unknown> | null | undefined) {
  const [text, setText] = useState(() => JSON.stringify(given ?? defaultPayload(model), null, 2));
  useEffect(() => {
    if (given) setText(JSON.stringify(given, null, 2));
  }, [given]);
  let payload: Record<string, unknown> | null = null;
  let problem: string | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      payload = parsed as Record<string, unknown>;
    else problem = 'The payload must be a JSON object keyed by input name.';
  } catch (error) {
    problem = `The payload is not valid JSON: ${(error as Error).message}`;
  }
  return { text, setText, payload, problem };
}

export function PayloadEditor(props: {
  text: string;
  onChange: (text: string) => void;
  problem: string | null;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Payload (JSON)</label>
      <textarea
        id={id}
        className="mono"
        rows={6}
        value={props.text}
        spellCheck={false}
        onChange={(event) => props.onChange(event.target.value)}
        aria-invalid={props.problem !== null}
      />
      {props.problem ? (
        <p className="field-error" role="alert">
          {props.problem}
        </p>
      ) : null}
    </div>
  );
}
