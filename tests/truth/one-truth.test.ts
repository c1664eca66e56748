// One truth (#12): random lead rows, as a CRM or an analyst's spreadsheet would hold them, scored on every
// surface ModelDock has — the handler table's model.predict (the app), `modeldock predict`, the row in
// `modeldock score`'s output (plain and European CSVs), the exported service's /predict and /v2/.../infer,
// and Compare's column — must get the same probability, and the same warnings where a surface reports them.
// The surfaces are independent paths through the code (JSON payload checks, the CSV reader and its cell
// rules, the bundle's generated runtime, the OIP tensor reader); one model, one server and one set of
// services are shared by every run to keep this in `npm test`'s time budget.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../main/export/bundle-writer.ts';
import { type CallContext, createHandlerTable, dispatch } from '../../main/handlers.ts';
import { ignoredFields } from '../../main/models/payload.ts';
import { createAppServices } from '../../main/services.ts';
import type { PredictionWarning } from '../../shared/contract/index.ts';
import {
  cli,
  linkDependencies,
  postJson,
  type RunningService,
  repoRoot,
  sampleModel,
  startService,
  tempDir,
} from '../export/helpers.ts';

/** The sample model's inputs: lead_source (string, 6 categories), number_of_courses_viewed (int64), annual_income (float). */
const known = ['NA', 'events', 'organic_search', 'paid_ads', 'referral', 'social_media'];
const unseen = ['webinar', 'Paid Ads', 'PAID_ADS'];
const extraColumns = ['industry', 'employment_status', 'location'] as const;

interface NumberCell {
  value: number;
  /** JSON surfaces get it as a numeric string ("5"), which they read with a `coerced-value` warning. */
  asString: boolean;
}

/** One lead, as a logical record; each surface gets it in its own form. */
interface Lead {
  leadSource?: string;
  courses?: NumberCell;
  income?: NumberCell;
  extras: Partial<Record<(typeof extraColumns)[number], string>>;
}

const numberCell = (value: fc.Arbitrary<number>) =>
  fc.record({ value, asString: fc.boolean() }).map((cell) => cell as NumberCell);
const missing = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.option(arbitrary, { nil: undefined, freq: 7 }) as fc.Arbitrary<T | undefined>;

const lead: fc.Arbitrary<Lead> = fc.record({
  leadSource: missing(fc.oneof(fc.constantFrom(...known), fc.constantFrom(...unseen))),
  // Whole numbers, and now and then a fraction the int64 input must refuse on every surface.
  courses: missing(
    numberCell(
      fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 12 }) }, fc.constantFrom(1.5, 2.25)),
    ),
  ),
  // Money with cents, so the European file has decimal commas.
  income: missing(numberCell(fc.integer({ min: 0, max: 20_000_000 }).map((cents) => cents / 100))),
  extras: fc.record(
    {
      industry: fc.constantFrom('retail', 'finance'),
      employment_status: fc.constantFrom('employed', 'student'),
      location: fc.constantFrom('north america', 'europe'),
    },
    { requiredKeys: [] },
  ),
});

function jsonPayload(row: Lead): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  if (row.leadSource !== undefined) payload.lead_source = row.leadSource;
  const number = (cell: NumberCell) => (cell.asString ? String(cell.value) : cell.value);
  if (row.courses) payload.number_of_courses_viewed = number(row.courses);
  if (row.income) payload.annual_income = number(row.income);
  return { ...payload, ...row.extras };
}

/** A CSV of the leads with a lead_id column; `european` writes `;` and decimal commas. */
function csvText(rows: Lead[], european: boolean): string {
  const separator = european ? ';' : ',';
  const number = (cell: NumberCell | undefined) =>
    cell === undefined ? '' : european ? String(cell.value).replace('.', ',') : String(cell.value);
  const quote = (text: string) => (/[",;\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const header = ['lead_id', 'lead_source', 'number_of_courses_viewed', 'annual_income', ...extraColumns];
  const lines = rows.map((row, index) =>
    [
      String(index),
      row.leadSource ?? '',
      number(row.courses),
      number(row.income),
      ...extraColumns.map((column) => row.extras[column] ?? ''),
    ]
      .map(quote)
      .join(separator),
  );
  return `${[header.join(separator), ...lines].join('\n')}\n`;
}

type Verdict =
  | { ok: true; probability: number; warnings: PredictionWarning[] }
  | { ok: false; message: string };

/** A model under test: its file, its id in the shared services, and its exported service on loopback. */
interface Subject {
  name: string;
  modelPath: string;
  modelId: string;
  service: RunningService;
  /** OIP datatype of each input, from the service's own /v2/models/<name> metadata. */
  datatypes: Record<string, string>;
}

let dataDir: string;
let services: ReturnType<typeof createAppServices>;
let table: ReturnType<typeof createHandlerTable>;
const subjects: Record<string, Subject> = {};
const context: CallContext = { emit: () => {}, signal: new AbortController().signal };

/** The sample model (ONNX, every input required) and the guide's pickle (converted; every input optional). */
const models = {
  sample: sampleModel,
  guidePickle: path.join(repoRoot, 'tests/fixtures/sklearn/pipeline_v1.bin'),
};

beforeAll(async () => {
  dataDir = await tempDir('one-truth');
  process.env.MODELDOCK_DATA_DIR = dataDir;
  services = createAppServices({ mode: 'cli', dataDir });
  table = createHandlerTable(services);
  for (const [name, modelPath] of Object.entries(models)) {
    const opened = await dispatch(table, 'model.open', { path: modelPath }, context);
    if (!opened.ok) throw new Error(opened.error.message);
    const modelId = opened.value.modelId;
    const bundle = (
      await exportBundle(services.models, modelId, {
        outDir: path.join(dataDir, `bundle-${name}`),
        name: 'lead-scoring',
      })
    ).path;
    await linkDependencies(bundle);
    const service = await startService(bundle);
    const metadata = (await (await fetch(`${service.url}/v2/models/lead-scoring`)).json()) as {
      inputs: { name: string; datatype: string }[];
    };
    const datatypes = Object.fromEntries(metadata.inputs.map((input) => [input.name, input.datatype]));
    subjects[name] = { name, modelPath, modelId, service, datatypes };
  }
}, 240_000);

afterAll(async () => {
  await Promise.all(Object.values(subjects).map((subject) => subject.service.stop()));
  await services?.dispose();
});

/** The app's answer: model.predict through the handler table, as both transports call it. */
async function handlerVerdict(subject: Subject, payload: Record<string, unknown>): Promise<Verdict> {
  const result = await dispatch(table, 'model.predict', { modelId: subject.modelId, payload }, context);
  if (!result.ok) return { ok: false, message: result.error.message };
  const value = result.value;
  if (!('probability' in value) || value.probability === undefined)
    throw new Error('expected one probability');
  return { ok: true, probability: value.probability, warnings: value.warnings };
}

/** `modeldock predict --json`: stdout for a prediction, one line on stderr per warning or for the refusal. */
async function cliVerdict(
  subject: Subject,
  payload: Record<string, unknown>,
): Promise<Verdict & { stderr: string }> {
  const run = await cli(['predict', subject.modelPath, '--input', JSON.stringify(payload), '--json']);
  if (run.code === 4)
    return { ok: false, message: run.stderr.replace(/^modeldock: /, '').trimEnd(), stderr: run.stderr };
  expect(run.code, run.stderr).toBe(0);
  const json = JSON.parse(run.stdout) as { probability: number; warnings: PredictionWarning[] };
  return { ok: true, probability: json.probability, warnings: json.warnings, stderr: run.stderr };
}

async function serviceVerdict(
  subject: Subject,
  payload: Record<string, unknown>,
): Promise<Verdict & { ignored?: string[] }> {
  const { status, json } = await postJson(`${subject.service.url}/predict`, payload);
  if (status === 422) return { ok: false, message: String(json!.message) };
  expect(status, JSON.stringify(json)).toBe(200);
  return {
    ok: true,
    probability: json!.probability as number,
    warnings: (json!.warnings as PredictionWarning[] | undefined) ?? [],
    ...(json!.ignored ? { ignored: json!.ignored as string[] } : {}),
  };
}

/**
 * /v2/models/lead-scoring/infer: typed tensors (no numeric strings), one more tensor per extra field; an
 * empty cell is a tensor left out (the service fills an optional input as /predict does).
 */
async function oipVerdict(subject: Subject, row: Lead) {
  const cells: [string, unknown][] = [
    ['lead_source', row.leadSource],
    ['number_of_courses_viewed', row.courses?.value],
    ['annual_income', row.income?.value],
  ];
  const inputs = cells
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ({ name, shape: [1, 1], datatype: subject.datatypes[name], data: [value] }));
  for (const [name, value] of Object.entries(row.extras))
    inputs.push({ name, shape: [1, 1], datatype: 'BYTES', data: [value] });
  const { status, json } = await postJson(`${subject.service.url}/v2/models/lead-scoring/infer`, { inputs });
  if (status !== 200) return { ok: false as const, status };
  // The probabilities are the [1, 2] output (the positive class second), whatever the converter named it.
  const outputs = json!.outputs as { name: string; shape: number[]; data: number[] }[];
  const probabilities = outputs.find((output) => output.shape.join() === '1,2')!;
  const parameters = json!.parameters as { ignored?: string[] } | undefined;
  return { ok: true as const, probability: probabilities.data[1]!, ignored: parameters?.ignored ?? [] };
}

/** `modeldock score`: each lead's probability in the output file, by lead_id; absent when the row failed. */
async function scoreColumn(subject: Subject, rows: Lead[], european: boolean): Promise<Map<number, number>> {
  const name = `leads-${subject.name}-${european ? 'eu' : 'plain'}`;
  const input = path.join(dataDir, `${name}.csv`);
  const out = path.join(dataDir, `${name}.scored.csv`);
  await writeFile(input, csvText(rows, european));
  const run = await cli([
    'score',
    subject.modelPath,
    input,
    '--out',
    out,
    '--force',
    '--json',
    ...(european ? ['--number-format', 'decimal-comma', '--delimiter', ';'] : []),
  ]);
  const scored = new Map<number, number>();
  // Exit 4 when no row could be scored: then every row is in the errors file, and the output is empty.
  if (run.code === 4 && JSON.parse(run.stdout).scored === 0) return scored;
  expect(run.code, run.stderr).toBe(0);
  const { readFile } = await import('node:fs/promises');
  const records = parse(await readFile(out), { columns: true, delimiter: european ? ';' : ',' }) as Record<
    string,
    string
  >[];
  // A `;` file read with decimal commas gets its numbers written back the same way (0,5336).
  const probability = (text: string | undefined) => Number(european ? text?.replace(',', '.') : text);
  for (const record of records) scored.set(Number(record.lead_id), probability(record.predicted_probability));
  return scored;
}

/** Compare (the same model as A and B): p(A) of each row it compared, by row index. */
async function compareColumn(subject: Subject, rows: Lead[]): Promise<Map<number, number>> {
  const input = path.join(dataDir, `leads-${subject.name}-compare.csv`);
  await writeFile(input, csvText(rows, false));
  const result = await dispatch(
    table,
    'compare.csv',
    { modelId: subject.modelId, modelIdB: subject.modelId, path: input },
    context,
  );
  const column = new Map<number, number>();
  if (!result.ok) return column;
  // The scatter holds every compared row in file order (fewer than its 2,000-point limit here); errors name
  // the others by file line, as Batch's errors file does (line 1 is the header, row index 0 is line 2).
  const failedRows = new Set(result.value.errors.map((error) => error.row - 2));
  expect(failedRows.size).toBe(result.value.failed);
  const compared = rows.map((_, index) => index).filter((index) => !failedRows.has(index));
  expect(result.value.scatter).toHaveLength(compared.length);
  compared.forEach((index, position) => {
    const [pa, pb] = result.value.scatter[position]!;
    expect(pb).toBe(pa);
    column.set(index, pa);
  });
  return column;
}

/**
 * A row scored in a batch of several: the sample model computes in float32, and onnxruntime's kernels for N
 * rows add in another order than for one, so the last float32 bits may differ (≈1e-7 here). The one-row
 * surfaces above agree exactly; batches agree to float32's precision.
 */
function sameScore(batched: number | undefined, single: number, where: string) {
  expect(batched, where).toBeTypeOf('number');
  expect(Math.abs(batched! - single), where).toBeLessThanOrEqual(1e-6);
}

describe('one truth: every surface scores a lead the same way', () => {
  it.each([
    ['the sample ONNX model (every input required: an empty cell is refused everywhere)', 'sample', 16],
    ["the guide's pickle (every input optional: an empty cell is left out everywhere)", 'guidePickle', 10],
  ] as const)(
    '%s',
    async (_title, name, numRuns) => {
      const subject = subjects[name]!;
      await fc.assert(
        fc.asyncProperty(fc.array(lead, { minLength: 1, maxLength: 6 }), async (rows) => {
          const app = await Promise.all(rows.map((row) => handlerVerdict(subject, jsonPayload(row))));
          const [plain, european, compare] = await Promise.all([
            scoreColumn(subject, rows, false),
            scoreColumn(subject, rows, true),
            compareColumn(subject, rows),
          ]);
          for (const [index, row] of rows.entries()) {
            const payload = jsonPayload(row);
            const expected = app[index]!;
            const where = `row ${index}: ${JSON.stringify(payload)}`;
            // modeldock predict: the same answer, and each warning (or the refusal) as a line on stderr.
            const fromCli = await cliVerdict(subject, payload);
            if (expected.ok) {
              expect(fromCli, where).toMatchObject({
                ok: true,
                probability: expected.probability,
                warnings: expected.warnings,
              });
              expect(fromCli.stderr, where).toBe(
                expected.warnings.map((warning) => `modeldock: warning: ${warning.message}\n`).join(''),
              );
            } else {
              expect(fromCli, where).toMatchObject({ ok: false, message: expected.message });
            }
            // The exported service's /predict: the same probability, warnings and refusals, and `ignored`.
            const fromService = await serviceVerdict(subject, payload);
            if (expected.ok) {
              expect(fromService, where).toMatchObject({
                ok: true,
                probability: expected.probability,
                warnings: expected.warnings,
              });
              const ignored = ignoredFields(expected.warnings);
              expect(fromService.ignored ?? [], where).toEqual(ignored);
              expect(ignored).toEqual(Object.keys(row.extras));
            } else {
              expect(fromService, where).toEqual({ ok: false, message: expected.message });
            }
            // OIP v2: typed tensors; a refused value (a fraction for int64) or a required input left out is a
            // 400 there too, and at least one model input must be sent (it says how many rows there are).
            const fromOip = await oipVerdict(subject, row);
            const anyInput =
              row.leadSource !== undefined || row.courses !== undefined || row.income !== undefined;
            if (expected.ok && anyInput) {
              expect(fromOip, where).toMatchObject({ ok: true, ignored: Object.keys(row.extras) });
              if (fromOip.ok) expect(fromOip.probability, where).toBe(expected.probability);
            } else {
              expect(fromOip, where).toMatchObject({ ok: false, status: 400 });
            }
            // modeldock score, plain and European files: the row's probability, or the row in the errors file.
            for (const column of [plain, european]) {
              if (!expected.ok) expect(column.has(index), where).toBe(false);
              else sameScore(column.get(index), expected.probability, where);
            }
            // Compare's column: Compare reads the CSV with Batch's reader (#12 part 2), so it scores exactly
            // the rows the other surfaces score, with the same probability.
            if (!expected.ok) expect(compare.has(index), where).toBe(false);
            else sameScore(compare.get(index), expected.probability, where);
          }
        }),
        { numRuns },
      );
    },
    120_000,
  );
});
