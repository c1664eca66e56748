import { spawn } from 'node:child_process';

/** Opens a URL in the user's default browser, best effort: where there is no opener (no desktop), nothing happens. */
export function openInBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(command, [url], { stdio: 'ignore', detached: true })
    .on('error', () => {})
    .unref();
}
