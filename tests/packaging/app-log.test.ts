import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AppLog,
  crashDialogMessage,
  describeError,
  installCrashHandlers,
  LOG_FILE_NAME,
  RotatingFileStream,
  sanitizeFields,
  setupAppLog,
} from '../../main/electron/app-log.ts';

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
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('setupAppLog', () => {
  it('writes JSON lines to modeldock.log in the given directory, creating it', () => {
    const log = setupAppLog({ dir: path.join(dir, 'logs') });
    log.info('app started', { version: '0.1.0' });
    log.call('models.open', { ok: false, code: 'MODEL_UNREADABLE', ms: 12.6 });
    log.close();
    expect(log.filePath).toBe(path.join(dir, 'logs', LOG_FILE_NAME));
    const [started, call] = readLines(log.filePath);
    expect(started).toMatchObject({ msg: 'app started', version: '0.1.0', level: 30 });
    expect(call).toMatchObject({
      msg: 'call',
      call: 'models.open',
      ok: false,
      code: 'MODEL_UNREADABLE',
      ms: 13,
    });
  });

  it('never writes payload values, whatever key or shape the caller uses', () => {
    const log = setupAppLog({ dir });
    const secret = 'income-75000-organic';
    const smuggled = { payload: secret, values: secret, Rows: secret, nested: { deep: secret } };
    log.info('predict', smuggled as unknown as Record<string, string>);
    log.error('predict failed', Object.assign(new Error('bad input'), { details: { income: secret } }), {
      data: secret,
    });
    log.close();
    const text = fs.readFileSync(log.filePath, 'utf8');
    expect(text).not.toContain(secret);
    expect(readLines(log.filePath)[0]).toMatchObject({
      payload: '[redacted]',
      values: '[redacted]',
      Rows: '[redacted]',
    });
  });

  it('keeps the error type, code, message and stack of a failure', () => {
    const log = setupAppLog({ dir });
    log.error('open failed', Object.assign(new TypeError('boom'), { code: 'E_TEST' }));
    log.close();
    const [line] = readLines(log.filePath);
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

describe('RotatingFileStream', () => {
  it('rotates by size, keeps maxFiles files, and never splits a line', () => {
    const file = path.join(dir, 'test.log');
    const stream = new RotatingFileStream(file, { maxBytes: 100, maxFiles: 3 });
    const line = (n: number) => `${String(n).padStart(3, '0')}${'.'.repeat(36)}\n`; // 40 bytes
    for (let n = 0; n < 10; n++) stream.write(line(n));
    stream.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['test.log', 'test.log.1', 'test.log.2']);
    // 2 lines per file: the newest two in test.log, older ones shifted, the oldest four dropped.
    expect(fs.readFileSync(file, 'utf8')).toBe(line(8) + line(9));
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe(line(6) + line(7));
    expect(fs.readFileSync(`${file}.2`, 'utf8')).toBe(line(4) + line(5));
    for (const name of fs.readdirSync(dir))
      expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(100);
  });

  it('continues an existing file after a restart and counts its size', () => {
    const file = path.join(dir, 'test.log');
    fs.writeFileSync(file, 'a'.repeat(90));
    const stream = new RotatingFileStream(file, { maxBytes: 100, maxFiles: 2 });
    stream.write('b'.repeat(20));
    stream.close();
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe('a'.repeat(90));
    expect(fs.readFileSync(file, 'utf8')).toBe('b'.repeat(20));
  });

  it('rejects limits that would lose every line', () => {
    expect(() => new RotatingFileStream(path.join(dir, 'x.log'), { maxBytes: 0, maxFiles: 2 })).toThrow(
      /maxBytes/,
    );
    expect(() => new RotatingFileStream(path.join(dir, 'x.log'), { maxBytes: 10, maxFiles: 0 })).toThrow(
      /maxFiles/,
    );
  });
});

describe('installCrashHandlers', () => {
  let log: AppLog;
  beforeEach(() => {
    log = setupAppLog({ dir });
  });
  afterEach(() => log.close());

  it('logs every uncaught error and unhandled rejection but shows only the first in a dialog', () => {
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
    const logged = readLines(log.filePath).map((line) => [
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
