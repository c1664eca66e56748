/**
 * Writes a synthetic CSV shaped like assets/data/course_lead_scoring.csv (same columns, categories,
 * value ranges and share of missing cells) so benchmarks and tests can use files of any size.
 * Deterministic for a given seed.
 *
 *   npx tsx scripts/generate-leads.ts --rows 1000000 --out /tmp/leads-1m.csv [--seed 7]
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
// The app's seeded PRNG (mulberry32; Math.random can't be seeded), re-exported for the tests that make rows.
import { seededRandom } from '../main/analysis/shapley.ts';

export { seededRandom };

export const leadColumns = [
  'lead_source',
  'industry',
  'number_of_courses_viewed',
  'annual_income',
  'employment_status',
  'location',
  'interaction_count',
  'lead_score',
  'converted',
] as const;

const leadSources = ['organic_search', 'social_media', 'paid_ads', 'referral', 'events'];
const industries = ['retail', 'finance', 'other', 'healthcare', 'education', 'technology', 'manufacturing'];
const employment = ['self_employed', 'student', 'unemployed', 'employed'];
const locations = ['north_america', 'europe', 'middle_east', 'asia', 'south_america', 'africa', 'australia'];

/** Missing-cell rates measured on the real dataset (e.g. 128 of 1,462 lead sources are empty). */
const missingRate = {
  lead_source: 0.088,
  industry: 0.092,
  annual_income: 0.124,
  employment_status: 0.068,
  location: 0.043,
};

/** Returns a function producing one CSV line (without newline) per call. */
export function leadRowGenerator(seed: number): () => string {
  const random = seededRandom(seed);
  const pick = (values: string[], rate: number) =>
    random() < rate ? '' : (values[Math.floor(random() * values.length)] ?? '');
  return () => {
    const source = pick(leadSources, missingRate.lead_source);
    const industry = pick(industries, missingRate.industry);
    // Courses viewed: mostly 0-4, rarely up to 9, like the real data (mean 2.0).
    const courses = Math.min(9, Math.floor(-Math.log(1 - random()) * 2));
    const incomeMissing = random() < missingRate.annual_income;
    const income = Math.max(13_000, Math.round(60_000 + (random() + random() + random() - 1.5) * 30_000));
    const status = pick(employment, missingRate.employment_status);
    const location = pick(locations, missingRate.location);
    const interactions = Math.floor(random() * 7);
    const leadScore = Math.round(random() * 100) / 100;
    // Conversion depends on the features the sample model uses, so metrics are meaningful.
    const logit =
      -1.2 +
      0.55 * courses +
      (source === 'referral' ? 0.6 : 0) +
      (incomeMissing ? 0 : (income - 60_000) / 40_000);
    const converted = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    return [
      source,
      industry,
      courses,
      incomeMissing ? '' : income,
      status,
      location,
      interactions,
      leadScore,
      converted,
    ].join(',');
  };
}

/** Streams `rows` synthetic leads (plus a header) to `path`, respecting backpressure. */
/** The rows; with `quoteAll`, every field in double quotes, as CRM exports (Salesforce, HubSpot) write them. */
export async function writeLeadCsv(path: string, rows: number, seed = 7, quoteAll = false): Promise<void> {
  const out = createWriteStream(path);
  const next = leadRowGenerator(seed);
  const quote = (line: string) => (quoteAll ? `"${line.replaceAll(',', '","')}"` : line);
  out.write(`${quote(leadColumns.join(','))}\n`);
  const linesPerChunk = 5_000;
  for (let written = 0; written < rows; written += linesPerChunk) {
    const count = Math.min(linesPerChunk, rows - written);
    let chunk = '';
    for (let i = 0; i < count; i++) chunk += `${quote(next())}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = Number(argument('rows') ?? '1000');
  const out = argument('out');
  if (!out || !Number.isInteger(rows) || rows < 0) {
    process.stderr.write('Usage: tsx scripts/generate-leads.ts --rows <n> --out <file.csv> [--seed <n>]\n');
    process.exit(2);
  }
  await writeLeadCsv(out, rows, Number(argument('seed') ?? '7'));
}
