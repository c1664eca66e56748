// The desktop app's log: JSON lines (pino) in a size-rotated file in the OS log directory, and the
// handlers that make an unexpected error in main visible once instead of a silent crash.
//
// No electron import here on purpose: main.ts passes `app.getPath('logs')` and `dialog.showErrorBox`,
// so rotation, redaction and the show-once rule are tested under plain Node. In main.ts, first thing:
//   const log = setupAppLog({ dir: app.getPath('logs') });
//   const crashes = installCrashHandlers({ log, showError: (title, message) => dialog.showErrorBox(title, message) });
//   app.on('render-process-gone', (_e, _contents, details) =>
//     crashes.report('renderer', new Error(`The window stopped (${details.reason}).`)));
//
// What is logged: events (app started, model opened, call failed), call names, error codes, durations,
// file names and stacks of programming errors. Never payload values, CSV rows or model contents:
// fields are flat primitives, and keys that carry user data are replaced by "[redacted]".
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';

export const LOG_FILE_NAME = 'modeldock.log';
const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_FILES = 3;
const MAX_FIELD_CHARS = 300;
const REDACTED = '[redacted]';

/** Field names whose values are user data; whatever a caller puts there never reaches the file. */
const USER_DATA_KEYS = new Set([
  'payload',
  'payloads',
  'value',
  'values',
  'row',
  'rows',
  'record',
  'body',
  'data',
  'features',
  'inputs',
  'request',
  'result',
  'probabilities',
  'details',
]);

export type LogField = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogField>>;

export interface AppLog {
  /** Absolute path of the current log file (for "Show logs"). */
  readonly filePath: string;
  readonly directory: string;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, error?: unknown, fields?: LogFields): void;
  /** One line per handled call: its name, outcome, error code and duration; never its arguments. */
  call(name: string, outcome: { ok: boolean; code?: string; ms: number }): void;
  close(): void;
}

export interface AppLogOptions {
  /** Directory for the log files: `app.getPath('logs')` in Electron. Created if missing. */
  dir: string;
  /** Rotate when the current file would grow past this many bytes. */
  maxBytes?: number;
  /** Files kept in total: modeldock.log plus modeldock.log.1 … modeldock.log.(maxFiles-1). */
  maxFiles?: number;
  level?: 'debug' | 'info' | 'warn' | 'error';
}

export function setupAppLog(options: AppLogOptions): AppLog {
  const stream = new RotatingFileStream(path.join(options.dir, LOG_FILE_NAME), {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    maxFiles: options.maxFiles ?? DEFAULT_MAX_FILES,
  });
  const logger = pino(
    { level: options.level ?? 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    stream,
  );
  return {
    filePath: stream.filePath,
    directory: options.dir,
    info: (event, fields) => logger.info(sanitizeFields(fields), event),
    warn: (event, fields) => logger.warn(sanitizeFields(fields), event),
    error: (event, error, fields) =>
      logger.error(
        { ...sanitizeFields(fields), ...(error === undefined ? {} : { error: describeError(error) }) },
        event,
      ),
    call: (name, outcome) =>
      logger.info(
        sanitizeFields({ call: name, ok: outcome.ok, code: outcome.code, ms: Math.round(outcome.ms) }),
        'call',
      ),
    close: () => stream.close(),
  };
}

/** Flat primitive fields with user-data keys redacted and long strings cut. */
export function sanitizeFields(
  fields: LogFields | undefined,
): Record<string, string | number | boolean | null> {
  const clean: Record<string, string | number | boolean | null> = {};
  if (fields === undefined) return clean;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (USER_DATA_KEYS.has(key.toLowerCase())) clean[key] = REDACTED;
    else if (typeof value === 'string') clean[key] = truncate(value);
    else if (value === null || typeof value === 'number' || typeof value === 'boolean') clean[key] = value;
    // Anything else (an object smuggled past the types) is dropped: it could hold a payload.
  }
  return clean;
}

export interface LoggedError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
}

/**
 * The parts of an error worth keeping. `details` of an AppError is left out on purpose: it can carry
 * the offending field values of a payload.
 */
export function describeError(error: unknown): LoggedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      type: error.name,
      message: truncate(error.message),
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { type: typeof error, message: truncate(String(error)) };
}

function truncate(text: string): string {
  return text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS)}…` : text;
}

/**
 * A synchronous size-rotated file. Synchronous because the last lines before a crash are the ones
 * that matter, and the app writes a few lines per user action, not a stream.
 */
export class RotatingFileStream {
  readonly filePath: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private fd: number | null = null;
  private size = 0;

  constructor(filePath: string, limits: { maxBytes: number; maxFiles: number }) {
    if (!(limits.maxBytes > 0)) throw new RangeError('maxBytes must be a positive number of bytes');
    if (!Number.isInteger(limits.maxFiles) || limits.maxFiles < 1) {
      throw new RangeError('maxFiles must be a whole number of at least 1');
    }
    this.filePath = filePath;
    this.maxBytes = limits.maxBytes;
    this.maxFiles = limits.maxFiles;
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    this.open();
  }

  write(chunk: string): boolean {
    const bytes = Buffer.byteLength(chunk);
    // A line is never split across files; an empty file takes even an oversized line.
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    if (this.fd === null) this.open();
    fs.writeSync(this.fd!, chunk);
    this.size += bytes;
    return true;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** modeldock.log → .1 → .2 …; the oldest beyond maxFiles is deleted. */
  private rotate(): void {
    this.close();
    if (this.maxFiles === 1) {
      fs.rmSync(this.filePath, { force: true });
    } else {
      fs.rmSync(`${this.filePath}.${this.maxFiles - 1}`, { force: true });
      for (let index = this.maxFiles - 2; index >= 1; index--) {
        renameIfExists(`${this.filePath}.${index}`, `${this.filePath}.${index + 1}`);
      }
      renameIfExists(this.filePath, `${this.filePath}.1`);
    }
    this.open();
  }

  private open(): void {
    this.fd = fs.openSync(this.filePath, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export type CrashSource = 'uncaughtException' | 'unhandledRejection' | 'renderer' | 'child-process';

export interface CrashHandlers {
  /** Log an unexpected failure and show it to the user (only the first one gets a dialog). */
  report(source: CrashSource, error: unknown): void;
  /** Remove the process listeners (tests, or a clean shutdown). */
  uninstall(): void;
}

export interface CrashHandlerOptions {
  log: AppLog;
  /** `(title, message) => dialog.showErrorBox(title, message)` in Electron; safe before `ready`. */
  showError: (title: string, message: string) => void;
  /** The process to listen on; defaults to the real one. */
  target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * Logs every uncaught exception and unhandled rejection in main, and shows the first one in a dialog
 * that says where the log is. Later ones are only logged, so a failure in a loop can't stack up dialogs.
 * The app keeps running: the window stays usable for the next model instead of vanishing.
 */
export function installCrashHandlers(options: CrashHandlerOptions): CrashHandlers {
  const target = options.target ?? process;
  let dialogShown = false;

  const report = (source: CrashSource, error: unknown): void => {
    try {
      options.log.error('unexpected error', error, { source });
    } catch {
      // The log itself failed (disk full, directory removed): the dialog below is all we have left.
    }
    if (dialogShown) return;
    dialogShown = true;
    try {
      options.showError('ModelDock hit an unexpected error', crashDialogMessage(error, options.log.filePath));
    } catch {
      // No dialog possible (headless, shutting down): the error is in the log.
    }
  };

  const onException = (error: Error): void => report('uncaughtException', error);
  const onRejection = (reason: unknown): void => report('unhandledRejection', reason);
  target.on('uncaughtException', onException);
  target.on('unhandledRejection', onRejection);

  return {
    report,
    uninstall() {
      target.off('uncaughtException', onException);
      target.off('unhandledRejection', onRejection);
    },
  };
}

export function crashDialogMessage(error: unknown, logFilePath: string): string {
  const { message } = describeError(error);
  return `${message || 'An unknown error occurred.'}\n\nModelDock keeps running, but the last action may not have finished. Details are in ${logFilePath} (Help → Show logs).`;
}
