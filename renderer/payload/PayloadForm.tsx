import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { type UseFormReturn, useController, useForm } from 'react-hook-form';
import type { ModelInfo, PredictManyResult, PredictResult } from '../../shared/contract/index.ts';
import { useAppStore } from '../app/app-store.ts';
import { ClientError, client } from '../client/index.ts';
import { ExplanationPanel } from '../explain/ExplanationPanel.tsx';
import type { StaleReason } from '../predict/PredictionView.tsx';
import { TryResult } from '../predict/TryResult.tsx';
import {
  fieldsForInputs,
  initialPayload,
  isSelect,
  type Payload,
  type PayloadField,
  type PayloadFormValues,
  payloadJson,
  payloadSchema,
  readPayloadJson,
  valuesFromPayload,
  withFieldValue,
} from './payload-fields.ts';

/** What a result answers: the payload exactly as sent, and the policy for fields that are not inputs. */
function requestKey(payload: Payload, strictFields: boolean): string {
  return JSON.stringify([payload, strictFields]);
}

/**
 * The Try tab. One state, the payload (the app store's `currentPayload`: the JSON object that is shown and
 * that is sent), is behind both views: the form shows each input's value from it and an edit sets that one
 * key (an emptied field removes it); the JSON view shows it, and a valid edit there replaces it and every
 * field follows (a removed key empties its field). Predict sends it as it is, and the result is marked stale
 * as soon as the payload differs from the one it answered.
 */
export function PayloadForm(props: { model: ModelInfo }) {
  const { model } = props;
  const fields = useMemo(() => fieldsForInputs(model.inputs), [model.inputs]);
  const schema = useMemo(() => payloadSchema(fields), [fields]);
  const fresh = useMemo(() => initialPayload(fields), [fields]);
  const payload = useAppStore((state) => state.currentPayload) ?? fresh;
  const strictFields = useAppStore((state) => state.strictFields);
  const form = useForm<PayloadFormValues>({
    resolver: zodResolver(schema),
    defaultValues: valuesFromPayload(fields, payload).values,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const formId = useId();
  const jsonId = useId();
  const optionalNoteId = useId();
  const [jsonText, setJsonText] = useState(() => payloadJson(payload));
  // Why the JSON text is not the payload (it does not parse yet): nothing is sent until it does.
  const [jsonProblem, setJsonProblem] = useState<string | null>(null);
  const [fieldProblems, setFieldProblems] = useState<string[]>(
    () => valuesFromPayload(fields, payload).problems,
  );
  const [result, setResult] = useState<PredictResult | PredictManyResult | null>(null);
  const [predictedKey, setPredictedKey] = useState<string | null>(null);
  // What the prediction on screen answered: the explanation beside it explains the same request.
  const [predicted, setPredicted] = useState<{ payload: Payload; strict: boolean } | null>(null);
  const [predictError, setPredictError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The payload this component last wrote, to tell its own updates from another view's (a sample loaded).
  const written = useRef<Payload>(payload);
  // Set while the form is being filled from the payload, so those changes are not read back as edits.
  const filling = useRef(false);

  function setPayload(next: Payload) {
    written.current = next;
    useAppStore.setState({ currentPayload: next });
  }

  function fillForm(next: Payload) {
    const { values, problems } = valuesFromPayload(fields, next);
    setFieldProblems(problems);
    filling.current = true;
    try {
      for (const field of fields) {
        form.setValue(field.key, values[field.key]!, {
          shouldValidate: form.formState.isSubmitted,
          shouldDirty: true,
        });
      }
    } finally {
      filling.current = false;
    }
  }

  // Form → payload → JSON: a field edit sets (or removes) its one key and the JSON view shows the result.
  useEffect(() => {
    const subscription = form.watch((values, { name }) => {
      if (filling.current || name === undefined) return;
      const field = fields.find((candidate) => candidate.key === name);
      if (!field) return;
      const current = useAppStore.getState().currentPayload ?? fresh;
      const next = withFieldValue(fields, current, field, (values as PayloadFormValues)[name]);
      written.current = next;
      useAppStore.setState({ currentPayload: next });
      setJsonText(payloadJson(next));
      setJsonProblem(null);
      setFieldProblems(valuesFromPayload(fields, next).problems);
    });
    return () => subscription.unsubscribe();
  }, [form, fields, fresh]);

  // A payload set elsewhere (a golden sample loaded into Try, say): both views follow it.
  useEffect(() => {
    if (payload === written.current) return;
    written.current = payload;
    setJsonText(payloadJson(payload));
    setJsonProblem(null);
    fillForm(payload);
  });

  // JSON → payload → form.
  function applyJson(text: string) {
    setJsonText(text);
    const read = readPayloadJson(fields, text);
    if ('problem' in read) {
      setJsonProblem(read.problem);
      return;
    }
    setJsonProblem(null);
    setPayload(read.payload);
    // Feature names gathered into their input's array: show what will be sent.
    if (read.rewritten) setJsonText(payloadJson(read.payload));
    fillForm(read.payload);
  }

  const onSubmit = form.handleSubmit(async () => {
    if (jsonProblem) return; // the JSON view does not show a payload: nothing to send
    const sent = useAppStore.getState().currentPayload ?? fresh;
    const strict = useAppStore.getState().strictFields;
    setBusy(true);
    setPredictError(null);
    try {
      setResult(
        await client.call('model.predict', {
          modelId: model.modelId,
          payload: sent,
          unknownFields: strict ? 'refuse' : 'ignore',
        }),
      );
      setPredictedKey(requestKey(sent, strict));
      setPredicted({ payload: sent, strict });
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
    : hasFieldErrors || jsonProblem
      ? 'invalid'
      : requestKey(payload, strictFields) !== predictedKey
        ? 'changed'
        : null;
  const optionalCount = fields.filter((field) => field.optional).length;
  const allOptional = optionalCount === fields.length;
  const problems = [...(jsonProblem ? [jsonProblem] : []), ...fieldProblems];

  return (
    <div className={`try${fields.length > 6 ? ' many-inputs' : ''}`}>
      <form id={formId} className="payload-form" noValidate onSubmit={onSubmit} aria-label="Payload">
        {optionalCount > 0 ? (
          <p id={optionalNoteId} className="hint optional-note">
            {allOptional ? 'Every field may be left out' : 'Fields marked “optional” may be left out'}: the
            model handles a missing value as scikit-learn does, and an empty field is not sent.
          </p>
        ) : null}
        <div className="fields">
          {fields.map((field) => (
            <FieldInput
              key={field.key}
              field={field}
              form={form}
              optionalNoteId={field.optional ? optionalNoteId : undefined}
              showOptional={field.optional && !allOptional}
            />
          ))}
        </div>
      </form>
      <TryResult model={model} formId={formId} busy={busy} result={result} stale={stale} error={predictError}>
        {result && 'label' in result && predicted ? (
          <ExplanationPanel
            model={model}
            payload={predicted.payload}
            unknownFields={predicted.strict ? 'refuse' : 'ignore'}
            stale={stale !== null}
          />
        ) : null}
      </TryResult>
      <div className="json-view">
        <label htmlFor={jsonId}>Payload as JSON (what Predict sends)</label>
        <textarea
          id={jsonId}
          className="mono"
          rows={Math.min(14, Math.max(5, fields.length + 2))}
          spellCheck={false}
          value={jsonText}
          aria-describedby={`${jsonId}-problems`}
          aria-invalid={jsonProblem ? true : undefined}
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
        <label className="strict-fields">
          <input
            type="checkbox"
            checked={strictFields}
            data-testid="strict-fields"
            onChange={(event) => useAppStore.setState({ strictFields: event.target.checked })}
          />
          Refuse fields that are not inputs (strict; otherwise they are ignored and named in a warning)
        </label>
        <div id={`${jsonId}-problems`} className="json-problems" aria-live="polite">
          {problems.map((problem) => (
            <p key={problem} className="bad">
              {problem}
            </p>
          ))}
        </div>
      </div>
    </div>
  );
}

function FieldInput(props: {
  field: PayloadField;
  form: UseFormReturn<PayloadFormValues>;
  /** The one note saying optional fields may be left out, for this field's accessible description. */
  optionalNoteId: string | undefined;
  showOptional: boolean;
}) {
  const { field, form, optionalNoteId, showOptional } = props;
  const id = useId();
  const error = form.formState.errors[field.key];
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [optionalNoteId, errorId].filter(Boolean).join(' ') || undefined;
  if (field.kind === 'bool') {
    return (
      <div className="field checkbox">
        <input id={id} type="checkbox" aria-describedby={describedBy} {...form.register(field.key)} />
        <label htmlFor={id}>{field.label}</label>
      </div>
    );
  }
  const type = field.kind === 'string' ? 'text' : field.integer ? 'whole number' : 'number';
  return (
    <div className="field">
      <label htmlFor={id}>
        <span className="field-name">{field.label}</span>
        <span className="field-type">
          {type}
          {showOptional ? ' · optional' : ''}
        </span>
      </label>
      {isSelect(field) ? (
        <CategorySelect id={id} field={field} form={form} describedBy={describedBy} invalid={!!error} />
      ) : (
        <TextInput id={id} field={field} form={form} describedBy={describedBy} invalid={!!error} />
      )}
      {error ? (
        <p id={errorId} className="field-error" role="alert">
          {String(error.message)}
        </p>
      ) : null}
    </div>
  );
}

interface ControlProps {
  id: string;
  field: PayloadField;
  form: UseFormReturn<PayloadFormValues>;
  describedBy: string | undefined;
  invalid: boolean;
}

function TextInput(props: ControlProps) {
  const { id, field, form, describedBy, invalid } = props;
  const listId = field.categories ? `${id}-categories` : undefined;
  return (
    <>
      <input
        id={id}
        type="text"
        inputMode={field.kind === 'numeric' ? 'decimal' : 'text'}
        autoComplete="off"
        list={listId}
        aria-invalid={invalid ? true : undefined}
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
    </>
  );
}

/**
 * A categorical input with few known categories. Controlled, so a value from the JSON view that is not a
 * known category (scored as unseen, with a warning) is shown as its own option rather than as "choose".
 */
function CategorySelect(props: ControlProps) {
  const { id, field, form, describedBy, invalid } = props;
  const { field: control } = useController({ name: field.key, control: form.control });
  const value = typeof control.value === 'string' ? control.value : '';
  const categories = field.categories ?? [];
  const unseen = value !== '' && !categories.includes(value);
  return (
    <select
      id={id}
      name={control.name}
      ref={control.ref}
      value={value}
      onChange={control.onChange}
      onBlur={control.onBlur}
      aria-invalid={invalid ? true : undefined}
      aria-describedby={describedBy}
    >
      <option value="">{field.optional ? '(left out)' : '(choose)'}</option>
      {categories.map((category) => (
        <option key={category} value={category}>
          {category}
        </option>
      ))}
      {unseen ? <option value={value}>{value} (not a known category)</option> : null}
    </select>
  );
}
