/**
 * The PSI bands, in one place: stable < 0.1 ≤ moderate < 0.25 ≤ shifted. The app, the CLI, browser mode and
 * the exported service (which gets this through runtime.generated.js) all name and cut the bands from here.
 */

export const PSI_BAND_NAMES = ['stable', 'moderate', 'shifted'] as const;
export type PsiBand = (typeof PSI_BAND_NAMES)[number];

/** Where each band starts: a PSI equal to a border belongs to the band above it. */
export const PSI_MODERATE_FROM = 0.1;
export const PSI_SHIFTED_FROM = 0.25;

/** The bands as one line for people (CLI, reports, metric help). */
export const PSI_BANDS_TEXT = `stable < ${PSI_MODERATE_FROM} ≤ moderate < ${PSI_SHIFTED_FROM} ≤ shifted`;

/** Each band's PSI range, by name (the exported service's GET /drift). */
export const PSI_BAND_RANGES: Readonly<Record<PsiBand, string>> = {
  stable: `< ${PSI_MODERATE_FROM}`,
  moderate: `≥ ${PSI_MODERATE_FROM} and < ${PSI_SHIFTED_FROM}`,
  shifted: `≥ ${PSI_SHIFTED_FROM}`,
};

export function psiBand(psi: number): PsiBand {
  if (psi < PSI_MODERATE_FROM) return 'stable';
  if (psi < PSI_SHIFTED_FROM) return 'moderate';
  return 'shifted';
}

/**
 * Band names earlier versions wrote into results they kept (a run's saved summary): the third band was
 * called "significant" before the app and the exported service shared one band vocabulary.
 */
const LEGACY_BAND_NAMES: Readonly<Record<string, PsiBand>> = { significant: 'shifted' };

/** A band as read from a stored result: today's name for an old one, anything else unchanged. */
export function currentBandName(band: unknown): unknown {
  return typeof band === 'string' && Object.hasOwn(LEGACY_BAND_NAMES, band) ? LEGACY_BAND_NAMES[band] : band;
}
