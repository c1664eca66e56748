import { existsSync } from 'node:fs';
import { copyFile, lutimes, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenHeader } from '../../main/security/token.ts';
import { createAppServices } from '../../main/services.ts';
import { startWebHost } from '../../main/web/host.ts';
import { removeStaleUploads, staleUploadAgeMs } from '../../main/web/upload-cleanup.ts';

const sampleModel = path.resolve(import.meta.dirname, '../../assets/models/lead_scoring.onnx');

const hour = 60 * 60 * 1000;
let dataDir: string;
let uploads: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-upload-cleanup-'));
  uploads = path.join(dataDir, 'uploads');
  await mkdir(uploads);
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** An upload folder as receiveUpload makes it, with the folder and its file last modified `ageMs` ago. */
async function upload(name: string, ageMs: number, fileName = 'model.onnx'): Promise<string> {
  const folder = path.join(uploads, name);
  await mkdir(folder);
  const file = path.join(folder, fileName);
  await writeFile(file, 'bytes');
  await age(file, ageMs);
  await age(folder, ageMs);
  return file;
}

async function age(target: string, ageMs: number): Promise<void> {
  const when = new Date(Date.now() - ageMs);
  await utimes(target, when, when);
}

const folderName = (n: number) => n.toString(16).padStart(24, '0');

describe('removeStaleUploads', () => {
  it('removes upload folders older than a day and keeps fresh ones', async () => {
    await upload(folderName(1), 2 * staleUploadAgeMs);
    await upload(folderName(2), 23 * hour);
    const result = await removeStaleUploads(dataDir);
    expect(result.removed).toEqual([path.join(uploads, folderName(1))]);
    expect(await readdir(uploads)).toEqual([folderName(2)]);
  });

  it('goes by the newest file in the folder, not only the folder itself', async () => {
    const file = await upload(folderName(3), 3 * staleUploadAgeMs);
    // A batch output rewritten in place an hour ago: the folder's own mtime stays old.
    await age(file, hour);
    await age(path.dirname(file), 3 * staleUploadAgeMs);
    expect((await removeStaleUploads(dataDir)).removed).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });

  it('honours maxAgeMs and now', async () => {
    await upload(folderName(4), 2 * hour);
    expect((await removeStaleUploads(dataDir, { maxAgeMs: 3 * hour })).removed).toHaveLength(0);
    expect((await removeStaleUploads(dataDir, { maxAgeMs: hour })).removed).toHaveLength(1);
  });

  it('keeps old folders holding a path durable state refers to', async () => {
    const referenced = await upload(folderName(5), 2 * staleUploadAgeMs, 'reference.csv');
    const unreferenced = await upload(folderName(6), 2 * staleUploadAgeMs);
    const result = await removeStaleUploads(dataDir, {
      keepPaths: [referenced, '/somewhere/else/model.onnx', uploads],
    });
    expect(result.keptReferenced).toEqual([path.dirname(referenced)]);
    expect(existsSync(referenced)).toBe(true);
    expect(existsSync(unreferenced)).toBe(false);
  });

  it('leaves other names, stray files and symlinks in uploads/ alone, and follows no symlink', async () => {
    // Outside the uploads folder, old, and linked from inside it: none of it may go.
    const outside = await mkdtemp(path.join(os.tmpdir(), 'modeldock-upload-outside-'));
    try {
      const precious = path.join(outside, 'precious.csv');
      await writeFile(precious, 'keep me');
      await age(precious, 10 * staleUploadAgeMs);
      await age(outside, 10 * staleUploadAgeMs);

      await mkdir(path.join(uploads, 'not-an-upload'));
      await age(path.join(uploads, 'not-an-upload'), 10 * staleUploadAgeMs);
      await writeFile(path.join(uploads, folderName(7)), 'a file with an upload folder name');
      await age(path.join(uploads, folderName(7)), 10 * staleUploadAgeMs);
      // A symlink with an upload folder's name pointing at an old folder outside.
      await symlink(outside, path.join(uploads, folderName(8)));
      // An old upload folder that contains a symlink to the outside file: the link goes, the target stays.
      const old = path.join(uploads, folderName(9));
      await mkdir(old);
      await symlink(precious, path.join(old, 'link.csv'));
      const longAgo = new Date(Date.now() - 10 * staleUploadAgeMs);
      await lutimes(path.join(old, 'link.csv'), longAgo, longAgo);
      await age(old, 10 * staleUploadAgeMs);

      const result = await removeStaleUploads(dataDir);
      expect(result.removed).toEqual([old]);
      expect((await readdir(uploads)).sort()).toEqual(['not-an-upload', folderName(7), folderName(8)].sort());
      expect(await readdir(outside)).toEqual(['precious.csv']);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('does nothing when uploads/ is a symlink or missing', async () => {
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'modeldock-upload-elsewhere-'));
    try {
      await rm(uploads, { recursive: true });
      expect(await removeStaleUploads(dataDir)).toEqual({ removed: [], keptReferenced: [] });

      const folder = path.join(elsewhere, folderName(10));
      await mkdir(folder);
      await age(folder, 10 * staleUploadAgeMs);
      await symlink(elsewhere, uploads);
      expect((await removeStaleUploads(dataDir)).removed).toEqual([]);
      expect(existsSync(folder)).toBe(true);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('the browser-mode host at start', () => {
  it('removes old uploads before answering, but keeps the one the library says a model came from', async () => {
    // An earlier run: a model opened from an upload (so the library records that path) and a CSV upload.
    const modelUpload = path.join(uploads, folderName(11), 'lead_scoring.onnx');
    await mkdir(path.dirname(modelUpload));
    await copyFile(sampleModel, modelUpload);
    const earlier = createAppServices({ mode: 'browser', dataDir });
    try {
      await earlier.library.addFromOpen(await earlier.models.open(modelUpload));
    } finally {
      await earlier.dispose();
    }
    await age(modelUpload, 2 * staleUploadAgeMs);
    await age(path.dirname(modelUpload), 2 * staleUploadAgeMs);
    const csvUpload = await upload(folderName(12), 2 * staleUploadAgeMs, 'leads.csv');
    const freshUpload = await upload(folderName(13), hour, 'today.csv');

    const rendererDir = path.join(dataDir, 'renderer');
    await mkdir(rendererDir);
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>ModelDock</title>');
    const host = await startWebHost({ dataDir, rendererDir });
    try {
      const response = await fetch(`${host.origin}/api/call/app.info`, {
        method: 'POST',
        headers: { [tokenHeader]: host.token, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(200);
      expect(existsSync(csvUpload)).toBe(false);
      expect(existsSync(modelUpload)).toBe(true);
      expect(existsSync(freshUpload)).toBe(true);
    } finally {
      await host.close();
    }
  }, 30_000);
});
