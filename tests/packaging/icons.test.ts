// The committed icons are what scripts/make-icons.ts renders from assets/icon.svg today.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ICO_SIZES, LINUX_SIZES, renderIcons } from '../../scripts/make-icons.ts';

const root = path.resolve(import.meta.dirname, '../..');

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('app icons', () => {
  it('are up to date with assets/icon.svg (run `npm run icons` after editing it)', async () => {
    const rendered = await renderIcons(fs.readFileSync(path.join(root, 'assets/icon.svg'), 'utf8'));
    for (const [relative, bytes] of rendered) {
      const committed = path.join(root, 'build', relative);
      expect(fs.existsSync(committed), `build/${relative} is missing`).toBe(true);
      expect(fs.readFileSync(committed).equals(bytes), `build/${relative} is stale`).toBe(true);
    }
  });

  it('have the sizes each platform asks for', () => {
    expect(pngSize(fs.readFileSync(path.join(root, 'build/icon.png')))).toEqual({
      width: 1024,
      height: 1024,
    });
    for (const size of LINUX_SIZES) {
      expect(pngSize(fs.readFileSync(path.join(root, `build/icons/${size}x${size}.png`)))).toEqual({
        width: size,
        height: size,
      });
    }
    // ICO directory: reserved 0, type 1, image count, then 16-byte entries whose width byte 0 means 256.
    const ico = fs.readFileSync(path.join(root, 'build/icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const widths = Array.from({ length: count }, (_, i) => ico[6 + i * 16] || 256);
    expect(widths.sort((a, b) => a - b)).toEqual([...ICO_SIZES]);
  });
});
