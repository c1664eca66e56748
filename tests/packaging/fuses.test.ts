// The afterPack hook run on a stand-in Electron binary: a file carrying the fuse wire exactly where
// @electron/fuses looks for it (sentinel, version, length, one byte per fuse), with Electron's defaults.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import afterPack from '../../scripts/after-pack-fuses.cjs';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// How a fuse is stored in the wire: the characters '1' and '0' (@electron/fuses keeps its enum private).
const FuseState = { ENABLE: 0x31, DISABLE: 0x30 } as const;
// Electron's shipped defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on,
// asar integrity off, only-asar off, browser V8 snapshot off, file:// privileges on.
const ELECTRON_DEFAULTS = [1, 0, 1, 1, 0, 0, 0, 1].map((on) => (on ? FuseState.ENABLE : FuseState.DISABLE));

function writeFakeElectron(file: string, wire: number[] = ELECTRON_DEFAULTS): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const padding = Buffer.alloc(4096, 0x41);
  fs.writeFileSync(
    file,
    Buffer.concat([padding, Buffer.from(SENTINEL), Buffer.from([1, wire.length, ...wire]), padding]),
  );
}

const linuxContext = (appOutDir: string) => ({
  appOutDir,
  electronPlatformName: 'linux',
  arch: 1,
  packager: { appInfo: { productFilename: 'ModelDock' }, executableName: 'modeldock' },
});

describe('after-pack-fuses hook', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-fuses-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('flips the seven fuses ModelDock sets in the packed binary', async () => {
    writeFakeElectron(path.join(dir, 'modeldock'));
    await afterPack(linuxContext(dir));
    const wire = await getCurrentFuseWire(path.join(dir, 'modeldock'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    // Off: the renderer is served from app://, so no page needs file://'s extra privileges.
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    // Left off, as Electron ships it (ModelDock has no V8 snapshot of its own).
    expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(FuseState.DISABLE);
  });

  it('fails the build when the binary has no fuse wire instead of shipping it unflipped', async () => {
    fs.writeFileSync(path.join(dir, 'modeldock'), Buffer.alloc(1024, 0x41));
    await expect(afterPack(linuxContext(dir))).rejects.toThrow(/sentinel/i);
  });

  it('reports fuses that are not in the wanted state', async () => {
    writeFakeElectron(path.join(dir, 'modeldock'));
    expect(await afterPack.fusesNotSet(path.join(dir, 'modeldock'))).toEqual([
      'RunAsNode',
      'EnableCookieEncryption',
      'EnableNodeOptionsEnvironmentVariable',
      'EnableNodeCliInspectArguments',
      'EnableEmbeddedAsarIntegrityValidation',
      'OnlyLoadAppFromAsar',
      'GrantFileProtocolExtraPrivileges',
    ]);
  });

  it('finds the executable the way electron-builder lays out each platform', () => {
    const base = {
      appOutDir: '/out',
      arch: 1,
      packager: { appInfo: { productFilename: 'ModelDock' }, executableName: 'modeldock' },
    };
    expect(afterPack.electronBinaryPath({ ...base, electronPlatformName: 'linux' })).toBe(
      path.join('/out', 'modeldock'),
    );
    expect(afterPack.electronBinaryPath({ ...base, electronPlatformName: 'win32' })).toBe(
      path.join('/out', 'ModelDock.exe'),
    );
    expect(afterPack.electronBinaryPath({ ...base, electronPlatformName: 'darwin' })).toBe(
      path.join('/out', 'ModelDock.app'),
    );
  });

  it('flips the fuses inside the macOS framework and re-signs ad hoc only for Apple silicon', async () => {
    const framework = path.join(
      dir,
      'ModelDock.app',
      'Contents',
      'Frameworks',
      'Electron Framework.framework',
      'Electron Framework',
    );
    writeFakeElectron(framework);
    // x64: no codesign call (it would fail here, there is no codesign on Linux).
    await afterPack({ ...linuxContext(dir), electronPlatformName: 'darwin', arch: 1 });
    expect((await getCurrentFuseWire(path.join(dir, 'ModelDock.app')))[FuseV1Options.RunAsNode]).toBe(
      FuseState.DISABLE,
    );
    expect(afterPack.fuseConfig(true).resetAdHocDarwinSignature).toBe(true);
    expect(afterPack.fuseConfig(false).resetAdHocDarwinSignature).toBe(false);
  });
});
