import { describe, expect, test } from 'vitest';
import { formatBytes } from '../../shared/format-bytes.ts';

describe('formatBytes: KB/MB/GB, never KiB or tens of thousands of KB', () => {
  test.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1536, '1.5 KB'],
    [79413, '77.6 KB'], // the lead CSV
    [102_360, '100 KB'], // 99.96 KB rounds to 100: no "100.0"
    [54_231_142, '51.7 MB'], // "52960.9 KiB" in the batch settings before
    [3 * 1024 ** 3, '3.0 GB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
