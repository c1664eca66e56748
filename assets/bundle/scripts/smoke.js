// `npm run smoke -- <url>`: sends every sample in samples/ to a running service (local or container)
// and checks it returns the outputs ModelDock computed at export, to 1e-6. Exit 0 when all match.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TOLERANCE = 1e-6;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const base = (process.argv[2] ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');

/** Differences between what ModelDock computed and what the service answered. */
function compare(expected, actual, where, problems) {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || Math.abs(actual - expected) > TOLERANCE) {
      problems.push(`${where}: expected ${expected}, got ${JSON.stringify(actual)}`);
    }
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      problems.push(
        `${where}: expected ${expected.length} items, got ${JSON.stringify(actual)?.slice(0, 80)}`,
      );
      return;
    }
    for (const [index, item] of expected.entries())
      compare(item, actual[index], `${where}[${index}]`, problems);
  } else if (expected !== null && typeof expected === 'object') {
    for (const [key, value] of Object.entries(expected))
      compare(value, actual?.[key], `${where}.${key}`, problems);
  } else if (expected !== actual) {
    problems.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

async function main() {
  const headers = { 'content-type': 'application/json' };
  if (process.env.API_KEY) headers.authorization = `Bearer ${process.env.API_KEY}`;
  const files = (await readdir(path.join(root, 'samples'))).filter((file) => file.endsWith('.json')).sort();
  let failed = 0;
  for (const file of files) {
    const sample = JSON.parse(await readFile(path.join(root, 'samples', file), 'utf8'));
    let status;
    let body;
    try {
      const response = await fetch(`${base}/predict`, {
        method: 'POST',
        headers,
        body: JSON.stringify(sample.payload),
      });
      status = response.status;
      body = await response.json();
    } catch (error) {
      console.error(`FAIL ${file}: could not reach ${base}/predict (${error.cause?.code ?? error.message})`);
      failed++;
      continue;
    }
    const problems = [];
    if (status !== 200)
      problems.push(`HTTP ${status}: ${body?.message ?? JSON.stringify(body).slice(0, 200)}`);
    else compare(sample.expected, body, 'response', problems);
    if (problems.length > 0) {
      failed++;
      console.error(`FAIL ${file}: ${problems.slice(0, 5).join('; ')}`);
    } else {
      console.log(`ok   ${file}`);
    }
  }
  if (files.length === 0) {
    console.error('No samples found in samples/.');
    process.exit(1);
  }
  console.log(
    failed === 0
      ? `All ${files.length} samples match ModelDock (tolerance ${TOLERANCE}).`
      : `${failed} of ${files.length} samples differ.`,
  );
  process.exit(failed === 0 ? 0 : 1);
}

main();
