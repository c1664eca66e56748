import type { LibraryEntry } from '../shared/contract/index.ts';
import type { WebHostInfo } from './fixtures.ts';

/**
 * Detaches every reference CSV in a browser-mode host's library. A worker's host (and library) outlives each
 * spec file, and other specs expect a model without a reference (what-if ranges, the drift hint).
 */
export async function detachReferences(webHost: WebHostInfo): Promise<void> {
  const call = async (name: string, body: unknown) => {
    const response = await fetch(`${webHost.origin}/api/call/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-modeldock-token': webHost.token },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { ok: boolean; value?: { entries?: LibraryEntry[] } };
  };
  const listed = await call('library.list', {});
  for (const entry of listed.value?.entries ?? []) {
    if (entry.reference) await call('library.detachReference', { id: entry.id });
  }
}
