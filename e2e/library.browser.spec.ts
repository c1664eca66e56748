// Browser mode only: the Electron project leaves *.browser.spec.ts out (playwright.config.ts).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { APIRequestContext } from '@playwright/test';
import type { LibraryEntry } from '../shared/contract/index.ts';
import { expect, type OwnWebHost, sampleModel, startWebHost, stopWebHost, test } from './fixtures.ts';

type Host = OwnWebHost;

async function call<T>(request: APIRequestContext, host: Host, name: string, body: unknown): Promise<T> {
  const response = await request.post(`${host.origin}/api/call/${name}`, {
    headers: { 'x-modeldock-token': host.token },
    data: body,
  });
  const json = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!json.ok) throw new Error(`${name} failed: ${json.error?.message}`);
  return json.value as T;
}

test('the library keeps an opened model across a restart of the browser-mode host', async ({
  page,
  request,
}) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-e2e-library-'));
  let host = await startWebHost(dataDir);
  try {
    await page.goto(host.url);
    await page.getByTestId('open-file-input').setInputFiles(sampleModel);
    await expect(
      page.getByTestId('model-card').getByRole('heading', { name: 'lead_scoring.onnx' }),
    ).toBeVisible();
    const sha256 = await page.getByTestId('sha256').textContent();

    const before = await call<{ entries: LibraryEntry[] }>(request, host, 'library.list', {});
    expect(before.entries).toHaveLength(1);
    const entry = before.entries[0]!;
    expect(entry).toMatchObject({ name: 'lead_scoring', versionLabel: 'v1', sha256 });
    await call(request, host, 'library.rename', { id: entry.id, name: 'Lead scoring (course)' });
    await call(request, host, 'library.setNotes', { id: entry.id, notes: 'kept across restarts' });

    await stopWebHost(host);
    host = await startWebHost(dataDir);

    const after = await call<{ entries: LibraryEntry[]; notice?: unknown }>(
      request,
      host,
      'library.list',
      {},
    );
    expect(after.notice).toBeUndefined();
    expect(after.entries).toEqual([
      { ...entry, name: 'Lead scoring (course)', notes: 'kept across restarts' },
    ]);
    expect((await stat(after.entries[0]!.storedPath)).size).toBe(entry.sizeBytes);
    const reopened = await call<{ modelId: string; file: { sha256: string } }>(
      request,
      host,
      'library.open',
      {
        id: entry.id,
      },
    );
    expect(reopened.file.sha256).toBe(sha256);

    // In the app itself: the Library view lists it after the restart.
    await page.goto(host.url);
    await page.getByRole('button', { name: 'Library', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Model library' });
    await expect(panel.getByTestId('library-entry')).toHaveCount(1);
    await expect(panel.getByTestId('library-entry')).toContainText('Lead scoring (course)');
    await expect(panel.getByTestId('library-entry')).toContainText('kept across restarts');
  } finally {
    await stopWebHost(host);
    await rm(dataDir, { recursive: true, force: true });
  }
});
