// batch.rows (the results table) reads only outputs ModelDock wrote, through both transports.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CallContext, createHandlerTable, dispatch, type HandlerTable } from '../../main/handlers.ts';
import { type AppServices, createAppServices } from '../../main/services.ts';
import { startWebHost, type WebHost } from '../../main/web/host.ts';
import type { ResultRowsRequest } from '../../shared/contract/index.ts';
import { leadCsv, sampleModel } from '../scoring/helpers.ts';

let root: string;
let dataDir: string;
let services: AppServices;
let table: HandlerTable;
let host: WebHost;
let output: string;
let secret: string;
const context: CallContext = { emit: () => {}, signal: new AbortController().signal };

const refusal = (name: string) =>
  `${name} is not an output ModelDock wrote, so the results table won't read it; it shows the scored CSVs of runs in this app and in its run history.`;

function rowsRequest(filePath: string): ResultRowsRequest {
  return { path: filePath, delimiter: ',', offset: 0, limit: 3 };
}

async function scoreLeads(into: HandlerTable, outputPath: string) {
  const opened = await dispatch(into, 'model.open', { path: sampleModel }, context);
  if (!opened.ok) throw new Error(opened.error.message);
  const scored = await dispatch(
    into,
    'batch.score',
    {
      modelId: opened.value.modelId,
      path: leadCsv,
      outputPath,
      overwrite: true,
      missing: { annual_income: { mode: 'fill', value: '0' }, lead_source: { mode: 'fill', value: 'NA' } },
    },
    context,
  );
  if (!scored.ok) throw new Error(scored.error.message);
  return scored.value;
}

/** batch.rows as the browser-mode page calls it: POST /api/call/batch.rows with the launch token. */
async function rowsOverHttp(filePath: string) {
  const response = await fetch(`${host.origin}/api/call/batch.rows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-modeldock-token': host.token },
    body: JSON.stringify(rowsRequest(filePath)),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'modeldock-rows-paths-'));
  dataDir = path.join(root, 'data');
  await mkdir(path.join(root, 'out'));
  secret = path.join(root, 'secret.csv');
  await writeFile(secret, 'user,password\nalice,hunter2\n');
  services = createAppServices({ mode: 'cli', dataDir });
  table = createHandlerTable(services);
  host = await startWebHost({ dataDir, rendererDir: path.join(root, 'none'), table });
  output = path.join(root, 'out', 'leads-scored.csv');
  await scoreLeads(table, output);
}, 60_000);

afterAll(async () => {
  await host.close();
  await services.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('Electron IPC (dispatch over the handler table, as ipc.ts calls it)', () => {
  test('a scored output this app wrote is paged', async () => {
    const result = await dispatch(table, 'batch.rows', rowsRequest(output), context);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.total).toBe(1462);
    expect(result.value.columns).toContain('lead_source');
    expect(result.value.rows.map((row) => row.row)).toEqual([0, 1, 2]);
  });

  test.each([
    ['a CSV the app never wrote', () => secret, 'secret.csv'],
    ['the input that was scored', () => leadCsv, 'course_lead_scoring.csv'],
    ['a system file', () => '/etc/passwd', 'passwd'],
    [
      'a path that climbs out of the output folder',
      () => path.join(root, 'out', '..', 'secret.csv'),
      'secret.csv',
    ],
    ['a file that does not exist', () => path.join(root, 'out', 'nothing.csv'), 'nothing.csv'],
  ])('%s is refused with a message', async (_name, filePath, shown) => {
    const result = await dispatch(table, 'batch.rows', rowsRequest(filePath()), context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'unauthorized', message: refusal(shown) });
  });

  test('a link to another file, named like an output, is refused', async () => {
    const link = path.join(root, 'out', 'link-scored.csv');
    await symlink(secret, link);
    const result = await dispatch(table, 'batch.rows', rowsRequest(link), context);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('unauthorized');
  });
});

describe('browser mode (the web host)', () => {
  test('a scored output this app wrote is paged', async () => {
    const { status, body } = await rowsOverHttp(output);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, value: { total: 1462, offset: 0 } });
  });

  test('any other path is refused with the message', async () => {
    const { status, body } = await rowsOverHttp(secret);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(body)).toContain(refusal('secret.csv'));
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });
});

test("after a restart, an earlier run's output is paged from the run history; a deleted one says so", async () => {
  const later = createAppServices({ mode: 'cli', dataDir });
  try {
    const laterTable = createHandlerTable(later);
    const result = await dispatch(laterTable, 'batch.rows', rowsRequest(output), context);
    expect(result.ok && result.value.total).toBe(1462);
    expect((await dispatch(laterTable, 'batch.rows', rowsRequest(secret), context)).ok).toBe(false);

    const gone = path.join(root, 'out', 'gone-scored.csv');
    await scoreLeads(laterTable, gone);
    await rm(gone);
    const missing = await dispatch(laterTable, 'batch.rows', rowsRequest(gone), context);
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(missing.error).toMatchObject({
        code: 'file-not-found',
        message: 'gone-scored.csv is no longer there; score the file again.',
      });
  } finally {
    await later.dispose();
  }
}, 60_000);
