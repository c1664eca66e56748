import type { JSX } from 'react';
import { client } from './index.ts';

/**
 * "Download" beside a path the engine wrote. Only in browser mode, where the file sits on the host's disk;
 * in Electron the path already is on the user's disk, so nothing is shown.
 */
export function DownloadLink(props: { path: string; label?: string; testId?: string }): JSX.Element | null {
  const href = client.downloadUrl(props.path);
  if (!href) return null;
  const name = props.path.split(/[\\/]/).pop() ?? 'file';
  return (
    <a
      className="button small download-link"
      href={href}
      download={name}
      data-testid={props.testId}
      aria-label={`Download ${name}`}
    >
      {props.label ?? 'Download'}
    </a>
  );
}
