import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerTable } from '../../main/handlers.ts';
import { contentDisposition, DownloadTickets, ticketLifetimeMs } from '../../main/web/downloads.ts';
import { startWebHost, type WebHost } from '../../main/web/host.ts';

let host: WebHost;
let root: string;
let dataDir: string;
let elsewhere: string;

/** export.bundle writes an archive wherever the user asked (here: outside the data directory). */
function fakeTable(): HandlerTable {
  const table = {
    'export.bundle': async ({ outDir }: { outDir: string }) => {
      const archive = path.join(outDir, 'lead-scoring-1.0.0.zip');
      await writeFile(archive, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 255, 10, 13]));
      return {
        path: archive,
        format: 'zip',
        name: 'lead-scoring',
        version: '1.0.0',
        files: [],
        sizeBytes: 8,
        modelSha256: 'x',
        nextCommands: [],
        example: { payload: {}, response: {} },
      };
    },
  };
  return table as unknown as HandlerTable;
}

const csvBytes = 'name,score\n"a, b",=1+1\nc,0.5\r\n';

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'modeldock-downloads-'));
  dataDir = path.join(root, 'data');
  elsewhere = path.join(root, 'elsewhere');
  await mkdir(path.join(dataDir, 'uploads', 'abc'), { recursive: true });
  await mkdir(elsewhere);
  await writeFile(path.join(dataDir, 'uploads', 'abc', 'leads-scored.csv'), csvBytes);
  await writeFile(path.join(dataDir, 'report.html'), '<!doctype html><p>report</p>');
  await writeFile(path.join(elsewhere, 'secret.txt'), 'not yours');
  await symlink(path.join(elsewhere, 'secret.txt'), path.join(dataDir, 'link-out.csv'));
  await symlink(elsewhere, path.join(dataDir, 'dir-link'));
  await link(path.join(elsewhere, 'secret.txt'), path.join(dataDir, 'hard-link.csv'));
  host = await startWebHost({ dataDir, rendererDir: path.join(root, 'none'), table: fakeTable() });
});

afterAll(async () => {
  await host.close();
  await rm(root, { recursive: true, force: true });
});

/** 'header': the launch token in its header; 'ticket': a one-time ticket, as the page's links do. */
async function download(filePath: string, auth: 'header' | 'ticket' | 'query' | 'none' = 'header') {
  if (auth === 'ticket') {
    const url = await ticketFor(filePath);
    return url ? fetch(`${host.origin}${url}`) : new Response(null, { status: 404 });
  }
  const query = new URLSearchParams({ path: filePath });
  if (auth === 'query') query.set('token', host.token);
  const headers: Record<string, string> = auth === 'header' ? { 'x-modeldock-token': host.token } : {};
  return fetch(`${host.origin}/api/download?${query}`, { headers });
}

async function ticketFor(filePath: string): Promise<string | undefined> {
  const response = await fetch(`${host.origin}/api/download-ticket`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-modeldock-token': host.token },
    body: JSON.stringify({ path: filePath }),
  });
  return response.status === 200 ? ((await response.json()) as { url: string }).url : undefined;
}

describe('GET /api/download', () => {
  it('answers 401 without the launch token, even for an allowed file', async () => {
    const response = await download(path.join(dataDir, 'report.html'), 'none');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-disposition')).toBeNull();
  });

  it('serves a file in the data directory as an attachment with its exact bytes', async () => {
    const response = await download(path.join(dataDir, 'uploads', 'abc', 'leads-scored.csv'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="leads-scored\.csv"/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(Buffer.from(await response.arrayBuffer()).toString('utf8')).toBe(csvBytes);
  });

  it('serves HTML reports as downloads, not pages', async () => {
    const response = await download(path.join(dataDir, 'report.html'), 'ticket');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="report\.html"/);
  });

  it('serves a file outside the data directory only once a call of this launch has produced it', async () => {
    const archive = path.join(elsewhere, 'lead-scoring-1.0.0.zip');
    await writeFile(archive, 'an older file with the same name');
    expect((await download(archive)).status).toBe(404);

    const made = await fetch(`${host.origin}/api/call/export.bundle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-modeldock-token': host.token },
      body: JSON.stringify({ modelId: 'm', outDir: elsewhere, format: 'zip' }),
    });
    expect(made.status).toBe(200);

    const response = await download(archive, 'ticket');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="lead-scoring-1\.0\.0\.zip"/,
    );
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([
      0x50, 0x4b, 0x03, 0x04, 0, 255, 10, 13,
    ]);
    // Producing one file there does not open the rest of that folder.
    expect((await download(path.join(elsewhere, 'secret.txt'))).status).toBe(404);
  });

  it('answers 404 for paths outside the allowed places, however they are spelled', async () => {
    const refused = [
      path.join(elsewhere, 'secret.txt'),
      `${dataDir}/../elsewhere/secret.txt`,
      `${dataDir}/uploads/../../elsewhere/secret.txt`,
      path.join(dataDir, 'link-out.csv'), // a symlink inside pointing outside
      path.join(dataDir, 'dir-link', 'secret.txt'), // a symlinked folder inside pointing outside
      path.join(dataDir, 'hard-link.csv'), // a hard link inside to a file outside
      'report.html', // relative: never resolved against the host's working directory
      path.join(dataDir, 'uploads'), // a folder
      path.join(dataDir, 'missing.csv'),
      `${path.join(dataDir, 'report.html')}\0.csv`,
      '/etc/passwd',
      '',
    ];
    for (const filePath of refused) {
      const response = await download(filePath);
      expect({ filePath, status: response.status }).toEqual({ filePath, status: 404 });
    }
    const noPath = await fetch(`${host.origin}/api/download`, {
      headers: { 'x-modeldock-token': host.token },
    });
    expect(noPath.status).toBe(404);
  });

  it('never takes the launch token from a download URL, where it would stay in the history', async () => {
    const response = await download(path.join(dataDir, 'report.html'), 'query');
    expect(response.status).toBe(401);
  });

  it('serves a ticket once, for the file it names only, and no ticket for a file it would refuse', async () => {
    const url = await ticketFor(path.join(dataDir, 'report.html'));
    expect(url).toMatch(/^\/api\/download\/[\w-]{40,}$/);
    expect(url).not.toContain(host.token);
    expect((await fetch(`${host.origin}${url}`)).status).toBe(200);
    expect((await fetch(`${host.origin}${url}`)).status).toBe(404);
    expect(await ticketFor(path.join(elsewhere, 'secret.txt'))).toBeUndefined();
    // A hard link inside the data directory to a file outside: no ticket, and refused when served.
    expect(await ticketFor(path.join(dataDir, 'hard-link.csv'))).toBeUndefined();
    expect((await fetch(`${host.origin}/api/download/${'x'.repeat(43)}`)).status).toBe(404);
  });

  it('lets a ticket expire', () => {
    let now = 1_000;
    const tickets = new DownloadTickets(() => now);
    const used = tickets.issue('/a.csv');
    const late = tickets.issue('/b.csv');
    expect(tickets.redeem(used)).toBe('/a.csv');
    expect(tickets.redeem(used)).toBeUndefined();
    now += ticketLifetimeMs;
    expect(tickets.redeem(late)).toBeUndefined();
  });

  it('refuses a produced file that was later replaced by a symlink to somewhere else', async () => {
    const archive = path.join(elsewhere, 'lead-scoring-1.0.0.zip');
    await rm(archive);
    await symlink(path.join(elsewhere, 'secret.txt'), archive);
    expect((await download(archive)).status).toBe(404);
  });

  it('keeps odd file names harmless in the header', () => {
    expect(contentDisposition('a"b\\c\r\nd é.csv')).toBe(
      `attachment; filename="a_b_c__d _.csv"; filename*=UTF-8''a%22b%5Cc%0D%0Ad%20%C3%A9.csv`,
    );
  });
});
