import { randomBytes } from 'node:crypto';
import { open, realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Browser mode's downloads: files ModelDock wrote (scored CSVs, errors CSVs, HTML reports, bundle archives)
 * sit on the host's disk, and a person in a browser tab needs them in their own Downloads folder.
 * The route serves a file only when it lies inside the data directory or is one this launch produced;
 * anything else answers 404, so the token alone never turns the host into a reader of the whole disk.
 */
export class DownloadableFiles {
  /** Real paths (symlinks resolved) of the files calls of this launch wrote, wherever the user put them. */
  private readonly produced = new Set<string>();

  constructor(private readonly dataDir: () => Promise<string>) {}

  /** Remembers the output files in a successful call's response (batch.score, batch.saveReport, export.bundle). */
  async recordCallResult(callName: string, value: unknown): Promise<void> {
    for (const filePath of producedPaths(callName, value)) {
      // Resolved now, while the file is the one we wrote; a symlink swapped in later won't match.
      const real = await realpath(path.resolve(filePath)).catch(() => null);
      if (real) this.produced.add(real);
    }
  }

  /** The real path of a file the route may serve, or null (missing, a folder, outside the allowed places). */
  async allowedRealPath(requested: string | null): Promise<string | null> {
    if (!requested || !path.isAbsolute(requested) || requested.includes('\0')) return null;
    const real = await realpath(path.resolve(requested)).catch(() => null);
    if (!real) return null;
    // A hard link (more than one name) is refused here and again on the open handle in sendDownload.
    if (((await stat(real).catch(() => null))?.nlink ?? 1) > 1) return null;
    if (this.produced.has(real)) return real;
    const root = await realpath(await this.dataDir()).catch(() => null);
    return root && isInside(real, root) ? real : null;
  }
}

/** How long a download ticket stays valid: enough to start the download the click asked for. */
export const ticketLifetimeMs = 60_000;

/**
 * One-time download tickets. A link in the page can't send the token header, and a token in the query
 * string lands in the browser's history and downloads list, where it would open every call of this
 * launch. So the page asks for a ticket (a call that carries the token in its header) and navigates to
 * /api/download/<ticket>: the ticket names one file, works once, and expires after ticketLifetimeMs.
 */
export class DownloadTickets {
  private readonly tickets = new Map<string, { path: string; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(filePath: string): string {
    this.sweep();
    const ticket = randomBytes(32).toString('base64url');
    this.tickets.set(ticket, { path: filePath, expires: this.now() + ticketLifetimeMs });
    return ticket;
  }

  /** The path a ticket was issued for, once; undefined for unknown, used or expired tickets. */
  redeem(ticket: string): string | undefined {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return entry && entry.expires > this.now() ? entry.path : undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [ticket, entry] of this.tickets) if (entry.expires <= now) this.tickets.delete(ticket);
  }
}

/** The file paths a call's response names as written by it; other calls produce none. */
export function producedPaths(callName: string, value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const keys: Record<string, string[]> = {
    'batch.score': ['outputPath', 'errorsPath'],
    'batch.saveReport': ['path'],
    'export.bundle': ['path'],
  };
  return (keys[callName] ?? [])
    .map((key) => record[key])
    .filter((item): item is string => typeof item === 'string');
}

function isInside(child: string, root: string): boolean {
  const relative = path.relative(root, child);
  return (
    relative !== '' &&
    !relative.startsWith(`..${path.sep}`) &&
    relative !== '..' &&
    !path.isAbsolute(relative)
  );
}

const contentTypes: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
};

export function contentTypeFor(fileName: string): string {
  return contentTypes[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** `attachment` with a plain ASCII name for old clients and the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * Streams an allowed file as an attachment (never read into memory). Returns false, having sent nothing,
 * when the path is not a regular file the caller may have, so the caller answers 404.
 */
export async function sendDownload(
  files: DownloadableFiles,
  requested: string | null,
  response: ServerResponse,
): Promise<boolean> {
  const real = await files.allowedRealPath(requested);
  if (!real) return false;
  const handle = await open(real, 'r').catch(() => null);
  if (!handle) return false;
  const stats = await handle.stat().catch(() => null);
  // A hard link inside the data directory can name a file anywhere on the same disk, and realpath can't
  // tell: ModelDock never makes hard links, so a file with more than one name is refused.
  if (!stats?.isFile() || stats.nlink > 1) {
    await handle.close();
    return false;
  }
  const fileName = path.basename(real);
  response.writeHead(200, {
    'content-type': contentTypeFor(fileName),
    'content-length': stats.size,
    'content-disposition': contentDisposition(fileName),
    'x-content-type-options': 'nosniff',
  });
  // The stream reads from the handle we checked, so a rename or swap after the check can't change the file.
  await pipeline(handle.createReadStream(), response).catch(() => {
    response.destroy();
  });
  return true;
}
