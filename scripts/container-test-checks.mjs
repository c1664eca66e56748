#!/usr/bin/env node
// Checks scripts/container-test.sh runs against the exported service in its container. Each prints what
// it compared and exits 1 with "[container-test] FAILED: …" when the comparison does not hold. Payloads
// come from a lead CSV, typed by the bundle's own manifest (inputSchema).
//   node scripts/container-test-checks.mjs compare-explain <container.json> <cli.json>
//   node scripts/container-test-checks.mjs drift <bundle> <base-url> <lead.csv>
//   node scripts/container-test-checks.mjs compare-job <job-out-dir> <cli-scored.csv> <cli-scored.errors.csv> <shards>
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const say = (text) => console.log(`[container-test] ${text}`);
function fail(text) {
  console.error(`[container-test] FAILED: ${text}`);
  process.exit(1);
}

/** A simple CSV (no quoted fields: refused rather than misread) as a header and rows of cells. */
function readSimpleCsv(file) {
  const text = readFileSync(file, 'utf8');
  if (text.includes('"')) fail(`${file} has quoted fields; these checks read plain CSV only`);
  const [header, ...lines] = text.replace(/\r\n/g, '\n').trimEnd().split('\n');
  return { header, names: header.split(','), lines, rows: lines.map((line) => line.split(',')) };
}

/** The model's inputs as the bundle's manifest declares them: name and JSON type. */
function bundleInputs(bundle) {
  const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
  const schema = manifest.inputSchema;
  return schema.required.map((name) => ({ name, type: schema.properties[name].type }));
}

/** Rows whose every model input has a value, as payloads keyed by input name. */
function payloads(inputs, csv) {
  const { names, rows, lines, header } = readSimpleCsv(csv);
  const columns = inputs.map((input) => {
    const column = names.indexOf(input.name);
    if (column < 0) fail(`${csv} has no column ${input.name}`);
    return column;
  });
  const complete = [];
  rows.forEach((cells, index) => {
    if (columns.some((column) => (cells[column] ?? '').trim() === '')) return;
    const payload = {};
    inputs.forEach((input, k) => {
      const cell = cells[columns[k]];
      payload[input.name] = input.type === 'string' ? cell : Number(cell);
    });
    complete.push({ payload, line: lines[index] });
  });
  return { inputs, header, complete };
}

function compareExplain(containerFile, cliFile) {
  const container = JSON.parse(readFileSync(containerFile, 'utf8'));
  const cli = JSON.parse(readFileSync(cliFile, 'utf8'));
  const tolerance = 1e-9;
  const rows = [
    ['value', container.value, cli.value],
    ['baseValue', container.baseValue, cli.baseValue],
  ];
  const byInput = new Map(cli.contributions.map((entry) => [entry.input, entry.contribution]));
  const containerInputs = container.contributions.map((entry) => entry.input).sort();
  const cliInputs = [...byInput.keys()].sort();
  if (containerInputs.join() !== cliInputs.join())
    fail(`/explain explains inputs ${containerInputs.join(', ')}, modeldock explain ${cliInputs.join(', ')}`);
  for (const entry of container.contributions)
    rows.push([`contribution ${entry.input}`, entry.contribution, byInput.get(entry.input)]);
  const width = Math.max(...rows.map(([name]) => name.length));
  say(`POST /explain vs modeldock explain --json (tolerance ${tolerance}):`);
  console.log(`  ${'quantity'.padEnd(width)}  ${'container'.padEnd(22)}  ${'CLI'.padEnd(22)}  |diff|`);
  let worst = 0;
  for (const [name, left, right] of rows) {
    const diff = Math.abs(left - right);
    worst = Number.isFinite(diff) ? Math.max(worst, diff) : Number.POSITIVE_INFINITY;
    console.log(`  ${name.padEnd(width)}  ${String(left).padEnd(22)}  ${String(right).padEnd(22)}  ${diff}`);
  }
  say(
    `method ${container.method} / ${cli.method}; background ${JSON.stringify(container.background)} / ${JSON.stringify(cli.background)}`,
  );
  if (!(worst <= tolerance)) fail(`/explain differs from modeldock explain by ${worst} (> ${tolerance})`);
  if (container.method !== cli.method)
    fail(`/explain used method ${container.method}, the CLI ${cli.method}`);
  say(`/explain equals modeldock explain: value, baseValue and every contribution within ${tolerance}`);
}

/** modeldock_input_psi{input="…"} and modeldock_score_psi from the Prometheus text. */
async function psiMetrics(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const psi = {};
  for (const line of text.split('\n')) {
    const input = /^modeldock_input_psi\{[^}]*input="([^"]+)"[^}]*\} (\S+)$/.exec(line);
    if (input) psi[input[1]] = Number(input[2]);
    const score = /^modeldock_score_psi(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (score) psi['(score)'] = Number(score[1]);
  }
  return psi;
}

async function post(base, payload) {
  const response = await fetch(`${base}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = await response.text();
  if (response.status !== 200)
    fail(`POST /predict ${JSON.stringify(payload)} answered ${response.status}: ${body}`);
}

/**
 * Live drift: 200 reference-like rows, then the same 200 rows drifted (annual_income × 10, three in four
 * leads from paid_ads) in four steps, reading /metrics after each; then GET /drift.
 */
async function drift(bundle, base, csv) {
  const threshold = 0.25;
  const { inputs, complete } = payloads(bundleInputs(bundle), csv);
  const names = inputs.map((input) => input.name);
  for (const needed of ['annual_income', 'lead_source'])
    if (!names.includes(needed))
      fail(`the drift check drifts ${needed}, which is not an input of this model`);
  // 200 rows spread over the whole file, not its first lines.
  const stride = Math.max(1, Math.floor(complete.length / 200));
  const steady = complete.filter((_, index) => index % stride === 0).slice(0, 200);
  if (steady.length < 200) fail(`only ${steady.length} complete rows in ${csv}`);
  const drifted = steady.map(({ payload }, index) => ({
    ...payload,
    annual_income: payload.annual_income * 10,
    lead_source: index % 4 === 3 ? payload.lead_source : 'paid_ads',
  }));
  const table = [];
  const record = async (label) => {
    // The service's PSI gauges share one computation for 100 ms (so one scrape computes once): a scrape
    // sooner after the previous one shows its numbers. Prometheus scrapes seconds apart; wait past that.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const psi = await psiMetrics(base);
    table.push([label, psi]);
    return psi;
  };
  await record('before');
  for (const { payload } of steady) await post(base, payload);
  const steadyPsi = await record('+200 reference-like rows');
  for (let step = 0; step < 4; step++) {
    for (const payload of drifted.slice(step * 50, step * 50 + 50)) await post(base, payload);
    await record(`+${(step + 1) * 50} drifted rows`);
  }
  const columns = [...names, '(score)'];
  say('modeldock_input_psi / modeldock_score_psi in /metrics as rows arrive:');
  console.log(`  ${'after'.padEnd(26)}${columns.map((name) => name.padStart(26)).join('')}`);
  for (const [label, psi] of table)
    console.log(
      `  ${label.padEnd(26)}${columns.map((name) => String(psi[name]?.toFixed(4) ?? '-').padStart(26)).join('')}`,
    );
  const final = table[table.length - 1][1];
  for (const name of names) {
    if (!(steadyPsi[name] < threshold))
      fail(
        `PSI of ${name} is ${steadyPsi[name]} after 200 rows of the reference itself (expected < ${threshold})`,
      );
  }
  for (const name of ['annual_income', 'lead_source']) {
    const climb = table.slice(1).map(([, psi]) => psi[name]);
    if (!climb.every((value, index) => index === 0 || value > climb[index - 1]))
      fail(`PSI of ${name} did not climb with each step of drifted rows: ${climb.join(', ')}`);
    if (!(final[name] > threshold))
      fail(`PSI of ${name} is ${final[name]} after the drifted rows (expected > ${threshold})`);
  }
  if (!(final.number_of_courses_viewed < threshold))
    fail(
      `PSI of number_of_courses_viewed (not drifted) is ${final.number_of_courses_viewed} (expected < ${threshold})`,
    );
  say(
    `PSI climbed above ${threshold} for the drifted inputs (annual_income ${final.annual_income.toFixed(3)}, lead_source ${final.lead_source.toFixed(3)}); number_of_courses_viewed, not drifted, stayed at ${final.number_of_courses_viewed.toFixed(3)}`,
  );

  const report = await (await fetch(`${base}/drift`)).json();
  // The band the service itself names for PSI at or above the threshold, from its own band table.
  const topBand = Object.entries(report.bands).find(
    ([, range]) => range.includes(`≥ ${threshold}`) && !range.includes('<'),
  );
  if (!topBand) fail(`GET /drift's bands ${JSON.stringify(report.bands)} name none for PSI ≥ ${threshold}`);
  for (const name of names) {
    const entry = report.inputs.find((input) => input.name === name);
    const metric = final[name];
    say(
      `GET /drift ${name}: psi ${entry?.psi?.toFixed(4)} band "${entry?.band}" rows ${entry?.rows} (metrics: ${metric.toFixed(4)})`,
    );
    if (!entry || Math.abs(entry.psi - metric) > 1e-9) fail(`/drift and /metrics disagree on ${name}`);
    const expected = entry.psi >= threshold ? topBand[0] : undefined;
    if (expected && entry.band !== expected)
      fail(`/drift names ${name}'s band "${entry.band}", not "${expected}"`);
    if (!expected && entry.band === topBand[0])
      fail(`/drift names ${name} "${entry.band}" at PSI ${entry.psi}`);
  }
  say(`GET /drift names the band "${topBand[0]}" (${topBand[1]}) for annual_income and lead_source`);
}

/**
 * The Indexed Job's combined output (score.js in the image: shards, then --combine) against one
 * `modeldock score` run on the host: byte for byte, and _SUCCESS's counts and hashes.
 */
function compareJob(outDir, cliScored, cliErrors, shards) {
  const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
  const manifest = JSON.parse(readFileSync(path.join(outDir, '_SUCCESS'), 'utf8'));
  say(
    `_SUCCESS: ${manifest.rows} rows (${manifest.scored} scored, ${manifest.failed} failed) in ${manifest.parts.length} parts of ${manifest.parts.map((part) => part.rows).join(' + ')} rows`,
  );
  if (manifest.parts.length !== Number(shards)) fail(`${manifest.parts.length} parts, not ${shards}`);
  if (manifest.parts.some((part) => !(part.rows > 0)))
    fail('a shard had no rows: the cuts did not spread the file');
  for (const [name, container, cli] of [
    ['scored.csv', path.join(outDir, 'scored.csv'), cliScored],
    ['scored.errors.csv', path.join(outDir, 'scored.errors.csv'), cliErrors],
  ]) {
    const [left, right] = [readFileSync(container), readFileSync(cli)];
    say(
      `${name}: container ${left.length} bytes sha256 ${sha256(left).slice(0, 16)}… / modeldock score ${right.length} bytes sha256 ${sha256(right).slice(0, 16)}…`,
    );
    if (!left.equals(right)) {
      const at = left.findIndex((byte, index) => byte !== right[index]);
      fail(
        `the Job's ${name} differs from modeldock score's ${path.basename(cli)} (first difference at byte ${at < 0 ? Math.min(left.length, right.length) : at})`,
      );
    }
  }
  if (manifest.sha256 !== sha256(readFileSync(cliScored)))
    fail("_SUCCESS's sha256 is not the combined file's");
  if (manifest.scored + manifest.failed !== manifest.rows) fail('_SUCCESS: scored + failed is not rows');
  say(
    `the ${shards} shards combine to exactly what modeldock score writes (scored and errors files, byte for byte)`,
  );
}

const [command, ...args] = process.argv.slice(2);
if (command === 'compare-explain') compareExplain(...args);
else if (command === 'drift') await drift(...args);
else if (command === 'compare-job') compareJob(...args);
else fail(`unknown check ${command}`);
