// ModelDock's one logger: JSON lines (pino) in size-rotated files (pino-roll), created once per process by
// createAppServices and passed to the services; and the handlers that make an unexpected error in the
// desktop app's main process visible once instead of a silent crash.
//
// No electron import here on purpose: main.ts passes `app.getPath('logs')` and `dialog.showErrorBox`, so
// rotation, redaction and the show-once rule are tested under plain Node.
//
// What is logged: events (app started, model opened, call failed), call names, error codes, durations,
// file names and stacks of programming errors. Never payload values, CSV rows or model contents:
// fields are flat primitives, and keys that carry user data are replaced by "[redacted]".
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type pinoRoll from 'pino-roll';

/** Log files are modeldock.1.log, modeldock.2.log, …: pino-roll numbers them and keeps the newest. */
export const LOG_FILE_BASE = 'modeldock';
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
type Level = 'debug' | 'info' | 'warn' | 'error';

export interface AppLog {
  /** The file being written now (for "Show logs" and the crash dialog), or undefined without a log folder. */
  readonly filePath: string | undefined;
  readonly directory: string | undefined;
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  /** An error with its type, code, message and stack (never an AppError's `details`). */
  error(event: string, error?: unknown, fields?: LogFields): void;
  /** One line per handled call: its name, outcome, error code and duration; never its arguments. */
  call(name: string, outcome: { ok: boolean; code?: string; ms: number }): void;
  /** Writes out what is buffered and closes the file. */
  close(): Promise<void>;
}

export interface AppLogOptions {
  /** Directory for the log files: `app.getPath('logs')` in Electron. Created if missing. None: no file. */
  dir?: string;
  /** Start a new file once the current one reaches this many bytes. */
  maxBytes?: number;
  /** Files kept in total, the current one included. */
  maxFiles?: number;
  level?: Level;
  /**
   * Also print lines at or above `level` to stderr, one readable line each (`modeldock: <event>: <message>`),
   * with the stack of an error when `stacks` (the CLI's --verbose).
   */
  stderr?: { level: Level; stacks: boolean; write?: (text: string) => void };
}

/**
 * Where each host's log goes. The desktop app: rotated files in the OS log folder. Browser mode: warnings and
 * errors, with their stacks, on the terminal that started it. The CLI: warnings on stderr; with --verbose,
 * every line and the stacks of unexpected errors.
 */
export function logOptionsFor(
  host: 'electron' | 'browser' | 'cli',
  options: { logDir?: string; verbose?: boolean } = {},
): AppLogOptions {
  switch (host) {
    case 'electron':
      return { dir: options.logDir };
    case 'browser':
      return { stderr: { level: 'warn', stacks: true } };
    case 'cli':
      return {
        stderr: options.verbose ? { level: 'debug', stacks: true } : { level: 'warn', stacks: false },
      };
  }
}

const levelNumbers: Record<Level, number> = { debug: 20, info: 30, warn: 40, error: 50 };

/**
 * The one logger. The file stream opens asynchronously (pino-roll looks for the newest numbered file
 * first); lines logged before it is open are kept and written in order once it is. Writes are
 * synchronous after that, so the last lines before a crash are on disk.
 */
export function createAppLog(options: AppLogOptions = {}): AppLog {
  const file = options.dir === undefined ? undefined : new RollingFile({ ...options, dir: options.dir });
  const level = options.level ?? 'info';
  const streams: pino.StreamEntry[] = [];
  if (file) streams.push({ level, stream: file });
  if (options.stderr) streams.push({ level: options.stderr.level, stream: readableLines(options.stderr) });
  const lowest = [level, options.stderr?.level ?? 'error'].reduce((a, b) =>
    levelNumbers[a as Level] <= levelNumbers[b as Level] ? a : b,
  );
  const logger = pino(
    { level: lowest, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream(streams),
  );
  return {
    get filePath() {
      return file?.currentPath;
    },
    directory: options.dir,
    debug: (event, fields) => logger.debug(sanitizeFields(fields), event),
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
    close: async () => {
      await file?.close();
    },
  };
}

/** A logger that drops everything: for tests and tools that don't care. */
export const silentLog: AppLog = createAppLog();

/** pino-roll's stream, with the lines written before it opened kept in order. */
class RollingFile {
  private pending: string[] = [];
  private stream: Awaited<ReturnType<typeof pinoRoll>> | undefined;
  private readonly opening: Promise<void>;
  private readonly firstPath: string;
  private closing: Promise<void> | undefined;

  constructor(options: AppLogOptions & { dir: string }) {
    const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(maxBytes > 0)) throw new RangeError('maxBytes must be a positive number of bytes');
    if (!Number.isInteger(maxFiles) || maxFiles < 1)
      throw new RangeError('maxFiles must be a whole number of at least 1');
    mkdirSync(options.dir, { recursive: true });
    const base = path.join(options.dir, LOG_FILE_BASE);
    this.firstPath = `${base}.1.log`;
    // Loaded only by a process that logs to files (the desktop app): the CLI and browser mode never need it.
    this.opening = import('pino-roll')
      .then(({ default: roll }) =>
        roll({
          file: base,
          extension: '.log',
          // pino-roll reads a plain number as megabytes.
          size: `${Math.max(1, Math.round(maxBytes / 1024))}k`,
          limit: { count: maxFiles - 1 },
          mkdir: true,
          sync: true,
        }),
      )
      .then((stream) => {
        this.stream = stream;
        for (const line of this.pending) stream.write(line);
        this.pending = [];
      });
  }

  /** The file being written; before pino-roll has looked, the first it would pick. */
  get currentPath(): string {
    return (this.stream as { file?: string } | undefined)?.file ?? this.firstPath;
  }

  write(line: string): void {
    if (this.stream) this.stream.write(line);
    else this.pending.push(line);
  }

  /** Idempotent: the services and the host may both close the process's logger. */
  close(): Promise<void> {
    this.closing ??= this.opening.then(() => {
      const stream = this.stream;
      if (!stream) return;
      return new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      });
    });
    return this.closing;
  }
}

/** pino's JSON lines as one readable line each, for a terminal. */
function readableLines(options: NonNullable<AppLogOptions['stderr']>): { write(line: string): void } {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  return {
    write(line) {
      const entry = JSON.parse(line) as { msg: string; error?: LoggedError };
      const error = entry.error;
      const detail = error ? `: ${error.message}` : '';
      const stack = options.stacks && error?.stack ? `\n${error.stack}` : '';
      write(`modeldock: ${entry.msg}${detail}${stack}\n`);
    },
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

export function crashDialogMessage(error: unknown, logFilePath: string | undefined): string {
  const { message } = describeError(error);
  return `${message || 'An unknown error occurred.'}\n\nModelDock keeps running, but the last action may not have finished. Details are in ${logFilePath ?? 'the log'} (Help → Show logs).`;
}
