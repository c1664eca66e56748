// Model files reach ModelDock from the operating system in three ways:
// - Windows and Linux start the app with the path in argv (double-click, "Open with", drag onto the icon);
// - a second launch while ModelDock runs is forwarded by the single-instance lock as `second-instance`
//   with that launch's argv and working directory;
// - macOS sends `open-file` events, often before the window exists.
// Everything here is plain data so it is tested without Electron; main.ts wires the events.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENABLE_MODEL_EXTENSIONS } from '../../shared/model-file-extensions.ts';

export function isModelPath(candidate: string): boolean {
  const extension = path.extname(candidate).toLowerCase();
  return (OPENABLE_MODEL_EXTENSIONS as readonly string[]).includes(extension);
}

export interface ArgvOptions {
  /** Directory relative paths are resolved against: `process.cwd()` at start, `workingDirectory` of a second instance. */
  cwd: string;
}

/**
 * Model file paths in a command line, absolute, in order, without duplicates.
 * argv[0] is the executable; in development argv[1] is the app directory, which is skipped
 * because it has no model extension. Chromium and Electron switches (`--foo`, `--foo=bar`) are
 * ignored unless they come after `--`. Linux desktop entries pass `%U`, so `file://` URLs are accepted.
 */
export function modelPathsFromArgv(
  argv: readonly string[],
  options: ArgvOptions = { cwd: process.cwd() },
): string[] {
  const found: string[] = [];
  let afterSeparator = false;
  for (const arg of argv.slice(1)) {
    if (!afterSeparator && arg === '--') {
      afterSeparator = true;
      continue;
    }
    if (!afterSeparator && arg.startsWith('-')) continue;
    const filePath = toFilePath(arg, options.cwd);
    if (filePath !== null && isModelPath(filePath) && !found.includes(filePath)) found.push(filePath);
  }
  return found;
}

function toFilePath(arg: string, cwd: string): string | null {
  if (arg.length === 0) return null;
  if (/^file:/i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return null; // a malformed or remote (file://host/...) URL is not a local model file
    }
  }
  // Any other URL scheme (http:, modeldock:) is not a file path. Two letters at least, so that a
  // Windows drive letter (C:\\models\\a.onnx) is still read as a path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(arg)) return null;
  return path.resolve(cwd, arg);
}

/**
 * Holds paths that arrive before the window can open them (macOS sends `open-file` before `ready`,
 * a second instance can arrive while the page is still loading) and delivers them once it can.
 */
export interface ModelOpenQueue {
  /**
   * Queue a path (ignored when it is not a model file, unless `chosen`); delivered at once if the queue is
   * ready. `chosen` is for paths the user picked (the Open dialog's "All files", a recent model): those are
   * tried whatever their extension, since the format is detected by content.
   */
  push(filePath: string, options?: { chosen?: boolean }): void;
  /** Mark the receiver ready and deliver everything queued so far, oldest first. */
  ready(): void;
  /** Paths waiting for `ready()`. */
  pending(): readonly string[];
}

export function createModelOpenQueue(deliver: (filePath: string) => void): ModelOpenQueue {
  const waiting: string[] = [];
  let isReady = false;
  return {
    push(filePath, options) {
      if (!options?.chosen && !isModelPath(filePath)) return;
      if (isReady) deliver(filePath);
      else if (!waiting.includes(filePath)) waiting.push(filePath);
    },
    ready() {
      isReady = true;
      for (const filePath of waiting.splice(0)) deliver(filePath);
    },
    pending() {
      return [...waiting];
    },
  };
}
