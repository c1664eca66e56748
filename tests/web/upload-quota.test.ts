// Browser mode's upload quota (issue 18): uploads not yet used by any call count against a total,
// reserved before their bytes arrive; unused ones are removed when the page goes away and when the
// host stops; used ones (opened, scored) stay.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HandlerTable } from '../../main/handlers.ts';
import { startWebHost, type WebHost } from '../../main/web/host.ts';

const table = {
  // Opening succeeds; the host only looks at the request's paths.
  'model.open': async () => ({ modelId: 'm' }),
} as unknown as HandlerTable;

let host: WebHost;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-quota-'));
  host = await startWebHost({
    dataDir,
    rendererDir: path.join(dataDir, 'none'),
    table,
    uploadLimitBytes: 1024 * 1024,
    uploadQuotaBytes: 1000,
    pageGoneGraceMs: 50,
  });
});

afterEach(async () => {
  await host.close();
  await rm(dataDir, { recursive: true, force: true });
});

const auth = () => ({ 'x-modeldock-token': host.token });

async function upload(
  name: string,
  bytes: number,
): Promise<{ status: number; path?: string; message?: string }> {
  const response = await fetch(`${host.origin}/api/upload?name=${name}`, {
    method: 'POST',
    headers: auth(),
    body: new Uint8Array(bytes),
  });
  const body = (await response.json()) as { path?: string; error?: { message: string } };
  return { status: response.status, path: body.path, message: body.error?.message };
}

function open(filePath: string) {
  return fetch(`${host.origin}/api/call/model.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth() },
    body: JSON.stringify({ path: filePath }),
  });
}

describe('upload quota', () => {
  it('refuses an upload past the total of unused uploads, and counts opened ones out', async () => {
    const first = await upload('a.pkl', 600);
    expect(first.status).toBe(200);
    const second = await upload('b.pkl', 600);
    expect(second.status).toBe(413);
    expect(second.message).toBe(
      'Browser mode holds at most 1000 bytes of dropped files that have not been opened or scored yet; use those first, or close the tab to let them go.',
    );
    expect((await open(first.path!)).status).toBe(200);
    expect((await upload('c.pkl', 600)).status).toBe(200);
  });

  it('reserves room before the bytes arrive: of parallel uploads, only what fits is accepted', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((n) => upload(`${n}.pkl`, 400)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 413, 413]);
  });

  it('removes unused uploads when the page goes away, and keeps used ones', async () => {
    const events = new AbortController();
    const stream = await fetch(`${host.origin}/api/events?token=${host.token}`, { signal: events.signal });
    expect(stream.status).toBe(200);
    const used = await upload('used.pkl', 100);
    const unused = await upload('unused.pkl', 100);
    await open(used.path!);
    events.abort();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(unused.path!)).toBe(false);
    expect(existsSync(used.path!)).toBe(true);
  });

  it('removes unused uploads when the host stops', async () => {
    const unused = await upload('unused.pkl', 100);
    expect(existsSync(unused.path!)).toBe(true);
    await host.close();
    expect(existsSync(unused.path!)).toBe(false);
    host = await startWebHost({ dataDir, rendererDir: path.join(dataDir, 'none'), table });
  });
});
