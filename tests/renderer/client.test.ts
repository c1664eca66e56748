import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import type { HandlerTable } from '../../main/handlers.ts';
import { startWebHost, type WebHost } from '../../main/web/host.ts';
import { createClient } from '../../renderer/client/client.ts';
import { ClientError } from '../../renderer/client/client-error.ts';
import { createHttpTransport } from '../../renderer/client/http-transport.ts';

let host: WebHost;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-client-'));
  const table = {
    'app.info': async () => ({
      version: '1.2.3',
      node: 'n',
      onnxruntime: 'o',
      mode: 'browser' as const,
      dataDir,
    }),
    'model.close': async () => {
      throw new AppError('model-not-open', 'No model with id m1 is open.', { modelId: 'm1' });
    },
  } as unknown as HandlerTable;
  host = await startWebHost({ dataDir, table, rendererDir: dataDir });
});

afterAll(async () => {
  await host.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the typed client over the HTTP transport', () => {
  it('resolves with the typed response', async () => {
    const client = createClient(createHttpTransport({ token: host.token, baseUrl: host.origin }));
    expect(client.mode).toBe('browser');
    await expect(client.call('app.info', {})).resolves.toMatchObject({ version: '1.2.3', mode: 'browser' });
  });

  it('throws a ClientError carrying main’s code, message and details', async () => {
    const client = createClient(createHttpTransport({ token: host.token, baseUrl: host.origin }));
    const error = await client.call('model.close', { modelId: 'm1' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({
      code: 'model-not-open',
      message: 'No model with id m1 is open.',
      details: { modelId: 'm1' },
    });
  });

  it('says what to do when the token is missing', async () => {
    const client = createClient(createHttpTransport({ token: 'wrong', baseUrl: host.origin }));
    await expect(client.call('app.info', {})).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('npm run web'),
    });
  });

  it('turns an unreachable host into a ClientError, not a TypeError', async () => {
    const client = createClient(createHttpTransport({ token: host.token, baseUrl: 'http://127.0.0.1:1' }));
    await expect(client.call('app.info', {})).rejects.toMatchObject({
      name: 'ClientError',
      code: 'internal',
    });
  });
});
