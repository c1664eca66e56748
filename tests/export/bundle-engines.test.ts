// The bundle's Node engine range agrees with its dependencies (npm ci warned EBADENGINE when it said
// ">=20" and a dependency needed 22), and the Dockerfile's Node image is in that range.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleTemplate } from './helpers.ts';

const semver = createRequire(import.meta.url)('semver') as {
  subset(range: string, superset: string): boolean;
  satisfies(version: string, range: string): boolean;
};

describe("the bundle's Node engine range", () => {
  it("is within every locked dependency's engines.node, and the Dockerfile image satisfies it", async () => {
    const pkg = JSON.parse(await readFile(path.join(bundleTemplate, 'package.json'), 'utf8'));
    const lock = JSON.parse(await readFile(path.join(bundleTemplate, 'package-lock.json'), 'utf8'));
    const range: string = pkg.engines.node;
    expect(lock.packages[''].engines.node).toBe(range);
    const disagreeing = Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)
      .filter(([name, entry]) => name !== '' && entry.engines?.node)
      .filter(([, entry]) => !semver.subset(range, entry.engines!.node!))
      .map(([name, entry]) => `${name} needs node ${entry.engines!.node}`);
    expect(disagreeing).toEqual([]);
    const dockerfile = await readFile(path.join(bundleTemplate, 'Dockerfile'), 'utf8');
    const version = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)/m.exec(dockerfile)![1]!;
    expect(semver.satisfies(version, range)).toBe(true);
  });
});

describe("the Dockerfile's two images", () => {
  it('run the service on the Debian release the Node image is built on (its node binary is copied over)', async () => {
    const dockerfile = await readFile(path.join(bundleTemplate, 'Dockerfile'), 'utf8');
    const nodeRelease = /^ARG NODE_IMAGE=node:[\d.]+-(\w+)-slim/m.exec(dockerfile)?.[1];
    const runtimeRelease = /^ARG RUNTIME_IMAGE=debian:(\w+)-slim/m.exec(dockerfile)?.[1];
    expect(nodeRelease).toBeDefined();
    expect(runtimeRelease).toBe(nodeRelease);
    // The runtime stage is Debian with node copied in: no npm there, and the deps stage keeps it.
    expect(dockerfile).toMatch(/^FROM \$\{RUNTIME_IMAGE\} AS runtime$/m);
    expect(dockerfile).toMatch(/^COPY --from=deps \/usr\/local\/bin\/node \/usr\/local\/bin\/node$/m);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
  });
});
