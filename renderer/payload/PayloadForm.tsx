import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { ModelInfo, PredictManyResult, PredictResult } from '../../shared/contract/index.ts';
import { useAppStore } from '../app/app-store.ts';
import { ClientError, client } from '../client/index.ts';
import { ExplanationPanel } from '../explain/ExplanationPanel.tsx';
import { PredictionView, type StaleReason } from '../predict/PredictionView.tsx';
import {
  defaultValues,
  fieldsForInputs,
  type PayloadField,
  type PayloadFormValues,
  payloadSchema,
  payloadToValues,
  valuesToPayload,
} from './payload-fields.ts';

/**
 * The Try tab: a form generated from the model's inputs, validated by a zod schema derived from them,
 * and a JSON view of the same payload; editing either side updates the other. Enter predicts.
 */
export function PayloadForm(props: { model: ModelInfo }) {
  const { model } = props;
  const fields = useMemo(() => fieldsForInputs(model.inputs), [model.inputs]);
  const schema = useMemo(() => payloadSchema(fields), [fields]);
  const form = useForm<PayloadFormValues>({
    resolver: zodResolver(schema),
    defaultValues: defaultValues(fields),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const jsonId = useId();
  const [jsonText, setJsonText] = useState(() =>
    JSON.stringify(valuesToPayload(fields, form.getValues()), null, 2),
  );
  const [jsonProblems, setJsonProblems] = useState<string[]>([]);
  const editingJson = useRef(false);
  const [result, setResult] = useState<PredictResult | PredictManyResult | null>(null);
  // The payload the form holds now and the one the result on screen answers, as JSON, to tell when it's stale.
  const [payloadKey, setPayloadKey] = useState(() =>
    JSON.stringify(valuesToPayload(fields, form.getValues())),
  );
  const [predictedKey, setPredictedKey] = useState<string | null>(null);
  // The payload the prediction on screen answered: the explanation chart explains that one.
  const [predictedPayload, setPredictedPayload] = useState<Record<string, unknown> | null>(null);
  const [predictError, setPredictError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Form → JSON, except while the user is typing in the JSON view (their text stays as typed).
  useEffect(() => {
    const subscription = form.watch((values) => {
      const payload = valuesToPayload(fields, values as PayloadFormValues);
      useAppStore.setState({ currentPayload: payload });
      setPayloadKey(JSON.stringify(payload));
      if (editingJson.current) return;
      setJsonText(JSON.stringify(payload, null, 2));
    });
    return () => subscription.unsubscribe();
  }, [form, fields]);

  function applyJson(text: string) {
    setJsonText(text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      setJsonProblems([`The JSON is not valid yet: ${(error as Error).message}`]);
      return;
    }
    const { values, problems } = payloadToValues(fields, parsed);
    setJsonProblems(problems);
    editingJson.current = true;
    try {
      for (const [key, value] of Object.entries(values)) {
        form.setValue(key, value as string | boolean, {
          shouldValidate: form.formState.isSubmitted,
          shouldDirty: true,
        });
      }
    } finally {
      editingJson.current = false;
    }
  }

  const onSubmit = form.handleSubmit(async (values) => {
    setBusy(true);
    setPredictError(null);
    // Keyed on the raw form values, as the watcher above is (values here are the schema's parsed output).
    const submittedKey = JSON.stringify(valuesToPayload(fields, form.getValues()));
    try {
      const payload = valuesToPayload(fields, values);
      setResult(await client.call('model.predict', { modelId: model.modelId, payload }));
      setPredictedKey(submittedKey);
      setPredictedPayload(payload);
    } catch (error) {
      setResult(null);
      setPredictError(ClientError.from(error).message);
    } finally {
      setBusy(false);
    }
  });

  const hasFieldErrors = Object.keys(form.formState.errors).length > 0;
  const stale: StaleReason | null = !result
    ? null
    : hasFieldErrors
      ? 'invalid'
      : payloadKey !== predictedKey
        ? 'changed'
        : null;

  return (
    <div className="try">
      <form className="payload-form" noValidate onSubmit={onSubmit} aria-label="Payload">
        <div className="fields">
          {fields.map((field) => (
            <FieldInput key={field.key} field={field} form={form} />
          ))}
        </div>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Predicting…' : 'Predict'}
          </button>
          <span className="hint">Press Enter in any field to predict.</span>
        </div>
      </form>
      <div className="json-view">
        <label htmlFor={jsonId}>Payload as JSON</label>
        <textarea
          id={jsonId}
          className="mono"
          rows={Math.min(14, Math.max(5, fields.length + 2))}
          spellCheck={false}
          value={jsonText}
          aria-describedby={`${jsonId}-problems`}
          data-testid="payload-json"
          onChange={(event) => applyJson(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              void onSubmit();
            }
          }}
        />
        <p className="hint">Edit either side; Ctrl+Enter here predicts.</p>
        <div id={`${jsonId}-problems`} className="json-problems" aria-live="polite">
          {jsonProblems.map((problem) => (
            <p key={problem} className="bad">
              {problem}
            </p>
          ))}
        </div>
      </div>
      <div className="result-area" aria-live="polite">
        {predictError ? (
          <p className="card error-card" role="alert" data-testid="predict-error">
            {predictError}
          </p>
        ) : null}
        {result ? <PredictionView model={model} result={result} stale={stale} /> : null}
        {result && 'label' in result ? (
          <ExplanationPanel model={model} payload={predictedPayload} stale={stale !== null} />
        ) : null}
      </div>
    </div>
  );
}

function FieldInput(props: { field: PayloadField; form: ReturnType<typeof useForm<PayloadFormValues>> }) {
  const { field, form } = props;
  const id = useId();
  const error = form.formState.errors[field.key];
  const listId = field.categories ? `${id}-categories` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const optionalId = field.optional ? `${id}-optional` : undefined;
  const describedBy = [optionalId, errorId].filter(Boolean).join(' ') || undefined;
  if (field.kind === 'bool') {
    return (
      <div className="field checkbox">
        <input id={id} type="checkbox" {...form.register(field.key)} />
        <label htmlFor={id}>{field.label}</label>
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {field.label}
        <span className="field-type">
          {field.kind === 'string' ? 'text' : field.integer ? 'whole number' : 'number'}
        </span>
      </label>
      <input
        id={id}
        type="text"
        inputMode={field.kind === 'numeric' ? 'decimal' : 'text'}
        autoComplete="off"
        list={listId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        placeholder={field.categories ? field.categories.slice(0, 3).join(', ') : undefined}
        {...form.register(field.key)}
      />
      {field.categories ? (
        <datalist id={listId}>
          {field.categories.map((category) => (
            <option key={category} value={category} />
          ))}
        </datalist>
      ) : null}
      {field.optional ? (
        <p
          id={optionalId}
          className="hint field-optional"
          title="The model handles a missing value as scikit-learn does; an empty field is left out of the payload."
        >
          may be left out
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error" role="alert">
          {String(error.message)}
        </p>
      ) : null}
    </div>
  );
}
