import type { JSX } from 'react';
import { client } from './index.ts';

/**
 * "Download" beside a path the engine wrote. Only in browser mode, where the file sits on the host's disk;
 * in Electron the path already is on the user's disk, so nothing is shown.
 */
export function DownloadLink(props: { path: string; label?: string; testId?: string }): JSX.Element | null {
  const downloadUrl = client.downloadUrl;
  if (!downloadUrl) return null;
  const name = props.path.split(/[\\/]/).pop() ?? 'file';
  // A button, not a link with an address: a click asks the host for a one-time URL and follows that, so
  // no address that could download the file again stays in the page or the history.
  const start = async () => {
    const anchor = document.createElement('a');
    anchor.href = await downloadUrl(props.path);
    anchor.download = name;
    anchor.rel = 'noreferrer';
    anchor.click();
  };
  return (
    <button
      type="button"
      className="button small download-link"
      onClick={() => void start()}
      data-testid={props.testId}
      aria-label={`Download ${name}`}
    >
      {props.label ?? 'Download'}
    </button>
  );
}
