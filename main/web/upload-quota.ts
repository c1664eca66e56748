import { rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** Total bytes of uploads not yet used by any call that browser mode holds at once (issue 18). */
export const defaultUploadQuotaBytes = 4 * 1024 ** 3;

/**
 * This launch's uploads, so they can't fill the disk: each upload reserves its size against a quota
 * before its bytes arrive (16 parallel 1 GB uploads used to be accepted, all of them), a call that
 * succeeds with a path inside an upload marks it used (opened as a model, scored, attached), and what
 * was never used is removed when the page goes away and when the host stops. Used uploads stay: the
 * library and the recent list point at them, and scored CSVs are written beside them.
 */
export class UploadLedger {
  private readonly uploads = new Map<string, { folder: string; bytes: number; used: boolean }>();
  private reserved = 0;

  constructor(
    private readonly uploadsRoot: () => Promise<string>,
    readonly quotaBytes: number = defaultUploadQuotaBytes,
  ) {}

  /** Bytes held by uploads no call has used yet, and by uploads still arriving. */
  get heldBytes(): number {
    let held = this.reserved;
    for (const upload of this.uploads.values()) if (!upload.used) held += upload.bytes;
    return held;
  }

  /**
   * Reserves room for an upload of `bytes` (its Content-Length, or undefined when not declared) and
   * returns how many bytes it may have, with a function that gives the reservation back; throws
   * file-too-large when the quota has no room for it.
   */
  reserve(bytes: number | undefined): { allowed: number; release: () => void } {
    const room = this.quotaBytes - this.heldBytes;
    if (room <= 0 || (bytes !== undefined && bytes > room)) {
      throw new AppError(
        'file-too-large',
        `Browser mode holds at most ${formatSize(this.quotaBytes)} of dropped files that have not been opened or scored yet; use those first, or close the tab to let them go.`,
        { limit: 'uploadQuota', quotaBytes: this.quotaBytes },
      );
    }
    const amount = bytes ?? room;
    this.reserved += amount;
    let released = false;
    return {
      allowed: amount,
      release: () => {
        if (released) return;
        released = true;
        this.reserved -= amount;
      },
    };
  }

  record(filePath: string, bytes: number): void {
    this.uploads.set(path.resolve(filePath), {
      folder: path.dirname(path.resolve(filePath)),
      bytes,
      used: false,
    });
  }

  /** After a call succeeded: every upload whose path the request names is in use from now on. */
  markUsed(request: unknown): void {
    for (const text of stringsIn(request)) {
      const upload = this.uploads.get(path.resolve(text));
      if (upload) upload.used = true;
    }
  }

  /** Removes the folders of uploads no call has used; the host calls this when the page goes away or it stops. */
  async removeUnused(): Promise<void> {
    const root = path.resolve(await this.uploadsRoot());
    for (const [filePath, upload] of this.uploads) {
      if (upload.used) continue;
      this.uploads.delete(filePath);
      // Only ever a folder directly in uploads/ (receiveUpload made it).
      if (path.dirname(upload.folder) !== root) continue;
      await rm(upload.folder, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** Forgets an upload that was removed for another reason (not a model). */
  forget(filePath: string): void {
    this.uploads.delete(path.resolve(filePath));
  }
}

/** String values in a request body, a few levels deep (paths sit at the top level or one below). */
function stringsIn(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return value.length <= 32_767 ? [value] : [];
  if (depth > 3 || value === null || typeof value !== 'object') return [];
  const items = Array.isArray(value) ? value.slice(0, 100) : Object.values(value).slice(0, 100);
  return items.flatMap((item) => stringsIn(item, depth + 1));
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${bytes} bytes`;
}
