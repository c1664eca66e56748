import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleTemplate } from './helpers.ts';

interface BundleMetrics {
  createMetrics(manifest: object): {
    registry: { metrics(): Promise<string> };
    countIgnoredFields(fields: readonly string[]): void;
  };
  maxIgnoredFieldLabels: number;
}

const manifest = { name: 'm', version: 'v1', model: { sha256: 'x' } };

describe('ignored_fields_total in the exported service', () => {
  it('counts ignored fields by name for the first 20 names, the rest as "_other"', async () => {
    const url = pathToFileURL(path.join(bundleTemplate, 'server', 'metrics.js')).href;
    const { createMetrics, maxIgnoredFieldLabels } = (await import(url)) as BundleMetrics;
    const metrics = createMetrics(manifest);
    const names = Array.from({ length: 50 }, (_, index) => `field_${index}`);
    metrics.countIgnoredFields(names);
    metrics.countIgnoredFields(['field_0', 'field_49', 'industry']);
    const lines = (await metrics.registry.metrics())
      .split('\n')
      .filter((line) => line.startsWith('ignored_fields_total{'));
    // Bounded: 20 field names and one "_other" series, however many names clients send.
    expect(lines).toHaveLength(maxIgnoredFieldLabels + 1);
    expect(lines).toContain('ignored_fields_total{field="field_0"} 2');
    expect(lines).toContain('ignored_fields_total{field="field_19"} 1');
    expect(lines).toContain(`ignored_fields_total{field="_other"} ${50 - maxIgnoredFieldLabels + 2}`);
  });
});
