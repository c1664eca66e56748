import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AppLog,
  crashDialogMessage,
  createAppLog,
  describeError,
  installCrashHandlers,
  LOG_FILE_BASE,
  sanitizeFields,
} from '../../main/logging/app-log.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-log-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const readLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== '') // a file just rolled into is empty
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('createAppLog', () => {
  it('writes JSON lines to modeldock.1.log in the given directory, creating it', async () => {
    const log = createAppLog({ dir: path.join(dir, 'logs') });
    log.info('app started', { version: '0.1.0' });
    log.call('models.open', { ok: false, code: 'MODEL_UNREADABLE', ms: 12.6 });
    await log.close();
    expect(log.filePath).toBe(path.join(dir, 'logs', `${LOG_FILE_BASE}.1.log`));
    const [started, call] = readLines(log.filePath!);
    expect(started).toMatchObject({ msg: 'app started', version: '0.1.0', level: 30 });
    expect(call).toMatchObject({
      msg: 'call',
      call: 'models.open',
      ok: false,
      code: 'MODEL_UNREADABLE',
      ms: 13,
    });
  });

  it('never writes payload values, whatever key or shape the caller uses', async () => {
    const log = createAppLog({ dir });
    const secret = 'income-75000-organic';
    const smuggled = { payload: secret, values: secret, Rows: secret, nested: { deep: secret } };
    log.info('predict', smuggled as unknown as Record<string, string>);
    log.error('predict failed', Object.assign(new Error('bad input'), { details: { income: secret } }), {
      data: secret,
    });
    await log.close();
    const text = fs.readFileSync(log.filePath!, 'utf8');
    expect(text).not.toContain(secret);
    expect(readLines(log.filePath!)[0]).toMatchObject({
      payload: '[redacted]',
      values: '[redacted]',
      Rows: '[redacted]',
    });
  });

  it('keeps the error type, code, message and stack of a failure', async () => {
    const log = createAppLog({ dir });
    log.error('open failed', Object.assign(new TypeError('boom'), { code: 'E_TEST' }));
    await log.close();
    const [line] = readLines(log.filePath!);
    expect(line).toMatchObject({ level: 50, error: { type: 'TypeError', message: 'boom', code: 'E_TEST' } });
    expect((line!.error as { stack: string }).stack).toContain('app-log.test.ts');
  });
});

describe('sanitizeFields and describeError', () => {
  it('cuts long strings so a pasted CSV cannot end up in the log', () => {
    const long = 'x'.repeat(5000);
    expect((sanitizeFields({ file: long }).file as string).length).toBeLessThan(400);
  });

  it('describes thrown non-errors', () => {
    expect(describeError('plain string')).toEqual({ type: 'string', message: 'plain string' });
  });
});

describe('rotation (pino-roll)', () => {
  it('starts a new numbered file at the size limit, keeps maxFiles files, and never splits a line', async () => {
    const log = createAppLog({ dir, maxBytes: 2048, maxFiles: 3 });
    // pino-roll rolls between writes (on the stream's next turn), as an app's log lines arrive: a burst
    // written in one turn stays in one file.
    for (let n = 0; n < 200; n++) {
      log.info('line', { n, padding: 'x'.repeat(60) });
      if (n % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await log.close();
    // pino-roll removes the oldest files after a roll, asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const files = fs.readdirSync(dir).sort();
    expect(files.length).toBe(3);
    expect(files.every((name) => /^modeldock\.\d+\.log$/.test(name))).toBe(true);
    const numbers: number[] = [];
    for (const name of files) {
      const lines = readLines(path.join(dir, name));
      numbers.push(...lines.map((line) => line.n as number));
      expect(fs.statSync(path.join(dir, name)).size).toBeLessThan(2048 + 10 * 150);
    }
    // The newest lines are kept, in order, whole.
    expect(numbers.at(-1)).toBe(199);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
  });

  it('continues the newest file after a restart', async () => {
    const first = createAppLog({ dir });
    first.info('before restart');
    await first.close();
    const second = createAppLog({ dir });
    second.info('after restart');
    await second.close();
    expect(second.filePath).toBe(first.filePath);
    expect(readLines(second.filePath!).map((line) => line.msg)).toEqual(['before restart', 'after restart']);
  });

  it('rejects limits that would lose every line', () => {
    expect(() => createAppLog({ dir, maxBytes: 0 })).toThrow(/maxBytes/);
    expect(() => createAppLog({ dir, maxFiles: 0 })).toThrow(/maxFiles/);
  });

  it('prints readable lines on stderr, with the stack only when asked (the CLI --verbose)', async () => {
    const plain: string[] = [];
    const verbose: string[] = [];
    const error = new Error('disk went away');
    createAppLog({ stderr: { level: 'warn', stacks: false, write: (text) => plain.push(text) } }).error(
      'unexpected error',
      error,
    );
    createAppLog({ stderr: { level: 'debug', stacks: true, write: (text) => verbose.push(text) } }).error(
      'unexpected error',
      error,
    );
    expect(plain).toEqual(['modeldock: unexpected error: disk went away\n']);
    expect(verbose[0]).toContain('app-log.test.ts');
  });
});

describe('installCrashHandlers', () => {
  let log: AppLog;
  beforeEach(() => {
    log = createAppLog({ dir });
  });
  afterEach(() => log.close());

  it('logs every uncaught error and unhandled rejection but shows only the first in a dialog', async () => {
    const fakeProcess = new EventEmitter();
    const dialogs: Array<[string, string]> = [];
    const handlers = installCrashHandlers({
      log,
      showError: (title, message) => dialogs.push([title, message]),
      target: fakeProcess as unknown as NodeJS.Process,
    });
    fakeProcess.emit('uncaughtException', new Error('first failure'));
    fakeProcess.emit('unhandledRejection', new Error('second failure'));
    handlers.report('renderer', new Error('renderer gone: crashed'));
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]![1]).toContain('first failure');
    expect(dialogs[0]![1]).toContain(log.filePath);
    await log.close();
    const logged = readLines(log.filePath!).map((line) => [
      line.source,
      (line.error as { message: string }).message,
    ]);
    expect(logged).toEqual([
      ['uncaughtException', 'first failure'],
      ['unhandledRejection', 'second failure'],
      ['renderer', 'renderer gone: crashed'],
    ]);
    handlers.uninstall();
    expect(fakeProcess.listenerCount('uncaughtException')).toBe(0);
    expect(fakeProcess.listenerCount('unhandledRejection')).toBe(0);
  });

  it('still shows the dialog when the log cannot be written', () => {
    const dialogs: string[] = [];
    const brokenLog: AppLog = {
      ...log,
      error: () => {
        throw new Error('disk full');
      },
    };
    const handlers = installCrashHandlers({
      log: brokenLog,
      showError: (_title, message) => dialogs.push(message),
      target: new EventEmitter() as unknown as NodeJS.Process,
    });
    handlers.report('uncaughtException', new Error('boom'));
    expect(dialogs).toHaveLength(1);
  });

  it('says what happened and where to look in one message', () => {
    expect(crashDialogMessage(new Error('Cannot read model'), '/logs/modeldock.log')).toMatch(
      /^Cannot read model\n\n.*\/logs\/modeldock\.log/s,
    );
  });
});
