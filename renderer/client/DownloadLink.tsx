import type { JSX, MouseEvent } from 'react';
import { client } from './index.ts';

/**
 * "Download" beside a path the engine wrote. Only in browser mode, where the file sits on the host's disk;
 * in Electron the path already is on the user's disk, so nothing is shown.
 */
export function DownloadLink(props: { path: string; label?: string; testId?: string }): JSX.Element | null {
  const downloadUrl = client.downloadUrl;
  if (!downloadUrl) return null;
  const name = props.path.split(/[\\/]/).pop() ?? 'file';
  // The link's own href leads nowhere: a click asks the host for a one-time URL and follows that, so no
  // address that could download the file again stays in the page or the history.
  const start = async (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    const anchor = document.createElement('a');
    anchor.href = await downloadUrl(props.path);
    anchor.download = name;
    anchor.rel = 'noreferrer';
    anchor.click();
  };
  return (
    <a
      className="button small download-link"
      href="#download"
      onClick={(event) => void start(event)}
      download={name}
      data-testid={props.testId}
      aria-label={`Download ${name}`}
    >
      {props.label ?? 'Download'}
    </a>
  );
}
