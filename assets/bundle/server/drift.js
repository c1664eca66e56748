// Live drift: the inputs and scores of the last DRIFT_WINDOW rows scored, binned as the reference
// profile the bundle was exported with (drift/reference-profile.json: bin edges and shares, never a
// row), and their PSI against it. Binning, PSI and bands are ModelDock's own code from
// runtime.generated.js (generated from its PSI module), so the PSI of the same rows is the app's.
// Also, always: modeldock_unseen_category_total, values of a categorical input the model never saw.
import client from 'prom-client';
import {
  binIndex,
  computePsiFromCounts,
  missingIsScored,
  PSI_BAND_RANGES,
  PSI_BANDS_TEXT,
  profileCategory,
  profileNumber,
  psiBand,
  unseenCategoryRule,
} from './runtime.generated.js';

/** The last `size` bin indices seen, with their counts per bin and the time each arrived. */
class RollingBins {
  constructor(binCount, size) {
    this.counts = new Float64Array(binCount);
    this.bins = new Int32Array(size);
    this.times = new Float64Array(size);
    this.size = size;
    this.next = 0;
    this.filled = 0;
  }

  add(bin, now) {
    if (this.filled === this.size) this.counts[this.bins[this.next]] -= 1;
    else this.filled += 1;
    this.bins[this.next] = bin;
    this.times[this.next] = now;
    this.counts[bin] += 1;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }

  /** Seconds since the oldest row in the window arrived (0 when empty). */
  ageSeconds(now) {
    if (this.filled === 0) return 0;
    const oldest = this.filled === this.size ? this.next : 0;
    return (now - this.times[oldest]) / 1000;
  }
}

/**
 * One watched feature: its reference profile (as the app's PSI takes it) and its rolling window.
 * `missingScored` is the app's rule for the feature's input (missingIsScored): an optional input's
 * left-out field is a "(missing)" row of the window, as an empty cell is in the app's report; a
 * required input never reaches here missing (refused), and its profile has no missing share.
 */
class FeatureWindow {
  constructor(feature, size, missingScored = true) {
    this.feature = feature;
    this.missingScored = missingScored;
    if (feature.kind === 'numeric') {
      // Shares stand in for counts: the PSI normalises them, so it is the same.
      this.profile = {
        kind: 'numeric',
        name: feature.name,
        edges: feature.edges,
        counts: feature.shares,
        missing: feature.missingShare,
        min: null,
        max: null,
      };
      this.binCount = feature.shares.length;
    } else {
      this.profile = {
        kind: 'categorical',
        name: feature.name,
        counts: feature.shares,
        missing: feature.missingShare,
      };
      this.categoryIndex = new Map(Object.keys(feature.shares).map((category, index) => [category, index]));
      this.binCount = this.categoryIndex.size;
    }
    this.missingBin = this.binCount;
    this.unseenBin = this.binCount + 1;
    this.window = new RollingBins(this.binCount + 2, size);
  }

  /** The bin of one value, read as the app's DriftCounter reads it (profileNumber / profileCategory). */
  binOf(cell) {
    if (this.profile.kind === 'numeric') {
      const value = profileNumber(cell);
      return value === null ? this.missingBin : binIndex(this.profile.edges, value);
    }
    const category = profileCategory(cell);
    if (category === null) return this.missingBin;
    return this.categoryIndex.get(category) ?? this.unseenBin;
  }

  add(cell, now) {
    this.window.add(this.binOf(cell), now);
  }

  /**
   * The window's counts per bin, its rows and when its oldest row arrived; with `rows`, also each
   * row's bin and time (oldest first), so a cluster's primary can keep the newest DRIFT_WINDOW rows
   * of all its workers together.
   */
  snapshot(rows = false) {
    const { window } = this;
    const start = window.filled === window.size ? window.next : 0;
    const oldest = window.filled === 0 ? null : window.times[start];
    const snapshot = { counts: Array.from(window.counts), filled: window.filled, oldest };
    if (!rows) return snapshot;
    const bins = new Array(window.filled);
    const times = new Array(window.filled);
    for (let k = 0; k < window.filled; k++) {
      const at = (start + k) % window.size;
      bins[k] = window.bins[at];
      times[k] = window.times[at];
    }
    return { ...snapshot, bins, times };
  }

  /**
   * The app's PSI of the window against the reference; undefined while it is empty. Several
   * snapshots (a cluster's workers, each with its own window) are merged to the newest
   * `this.window.size` rows among them all, as one process would have kept.
   */
  drift(snapshots, now) {
    let counts = new Float64Array(this.binCount + 2);
    let filled = 0;
    let oldest = null;
    if (snapshots.length === 1) {
      counts.set(snapshots[0].counts);
      filled = snapshots[0].filled;
      oldest = snapshots[0].oldest;
    } else {
      const rows = [];
      for (const part of snapshots)
        for (let k = 0; k < part.filled; k++) rows.push([part.times[k], part.bins[k]]);
      rows.sort((a, b) => b[0] - a[0]);
      const kept = rows.slice(0, this.window.size);
      counts = new Float64Array(this.binCount + 2);
      for (const [, bin] of kept) counts[bin] += 1;
      filled = kept.length;
      oldest = kept.length > 0 ? kept[kept.length - 1][0] : null;
    }
    if (filled === 0) return undefined;
    const unseen = counts[this.unseenBin];
    const result = computePsiFromCounts(
      this.profile,
      Array.from(counts.subarray(0, this.binCount)),
      counts[this.missingBin],
      unseen > 0 ? new Map([['(unseen)', unseen]]) : new Map(),
      this.missingScored,
    );
    return {
      psi: result.psi,
      band: psiBand(result.psi),
      rows: filled,
      ageSeconds: (now - oldest) / 1000,
      bins: result.bins,
    };
  }
}

/** The decision score of a prediction, as the app's drift report takes it. */
function scoreOf(prediction) {
  if (prediction.probability !== undefined) return prediction.probability;
  if (prediction.value !== undefined) return prediction.value;
  const probabilities = Object.values(prediction.probabilities ?? {});
  return probabilities.length > 0 ? Math.max(...probabilities) : undefined;
}

/**
 * @param {object} manifest
 * @param {object | undefined} profile the bundle's drift/reference-profile.json, if it was exported with one
 * @param {{windowSize: number, registry: import('prom-client').Registry, clustered?: boolean}} options
 */
export function createDrift(manifest, profile, { windowSize, registry, clustered = false }) {
  const inputs = manifest.model.inputs;
  const unseenTotal = new client.Counter({
    name: 'modeldock_unseen_category_total',
    help: 'Values of a categorical input that are not among the categories the model was trained on, by input.',
    labelNames: ['input'],
    registers: [registry],
  });
  const unseenChecks = [];
  for (const [index, input] of inputs.entries()) {
    // ModelDock's one rule for an unseen category (main/models/payload.ts).
    const rule = unseenCategoryRule(input);
    if (rule)
      unseenChecks.push({
        index,
        name: input.name,
        width: input.width,
        rule,
        counter: unseenTotal.labels({ input: input.name }),
      });
  }

  const byInput = new Map(inputs.map((input, index) => [input.name, index]));
  const features = (profile?.features ?? [])
    .filter((feature) => byInput.has(feature.input))
    .map((feature) => ({
      inputIndex: byInput.get(feature.input),
      window: new FeatureWindow(feature, windowSize, missingIsScored(inputs[byInput.get(feature.input)])),
    }));
  const score = profile?.score ? new FeatureWindow(profile.score, windowSize) : undefined;

  /** Counts of every window of this process, for the PSI here or in the cluster's primary. */
  const snapshot = (rows = false) => ({
    features: features.map(({ window }) => window.snapshot(rows)),
    score: score?.snapshot(rows),
  });

  /**
   * /drift and the PSI gauges from snapshots (this process's, or every worker's: the windows of a
   * cluster add up to the last DRIFT_WINDOW rows the service scored).
   */
  const report = (snapshots) => {
    const now = Date.now();
    const describe = (window, parts) => {
      const drift = window.drift(parts, now);
      return {
        name: window.feature.name,
        ...(window.feature.input ? { input: window.feature.input } : {}),
        kind: window.profile.kind,
        ...(drift ?? { psi: null, band: null, rows: 0, ageSeconds: 0, bins: [] }),
      };
    };
    return {
      reference: profile.reference,
      window: { size: windowSize },
      bands: PSI_BAND_RANGES,
      inputs: features.map(({ window }, index) =>
        describe(
          window,
          snapshots.map((part) => part.features[index]),
        ),
      ),
      ...(score
        ? {
            score: describe(
              score,
              snapshots.map((part) => part.score),
            ),
          }
        : {}),
    };
  };

  /** The PSI gauges on `target`, computed at scrape time from `gather()`'s snapshots. */
  const registerGauges = (target, gather) => {
    let latest;
    // One gathering per scrape: the first gauge collected asks, the others reuse it.
    const reportNow = async () => {
      if (!latest || Date.now() - latest.at > 100) latest = { at: Date.now(), value: report(await gather()) };
      return latest.value;
    };
    new client.Gauge({
      name: 'modeldock_input_psi',
      help: `PSI of each input over the last ${windowSize} rows scored (DRIFT_WINDOW) against the reference profile; bands ${PSI_BANDS_TEXT}.`,
      labelNames: ['input'],
      registers: [target],
      async collect() {
        this.reset();
        for (const input of (await reportNow()).inputs)
          if (input.psi !== null) this.set({ input: input.name }, input.psi);
      },
    });
    if (score) {
      new client.Gauge({
        name: 'modeldock_score_psi',
        help: `PSI of the model's score over the last ${windowSize} rows scored against the reference profile.`,
        registers: [target],
        async collect() {
          this.reset();
          const psi = (await reportNow()).score?.psi;
          if (psi !== null && psi !== undefined) this.set(psi);
        },
      });
    }
    new client.Gauge({
      name: 'modeldock_drift_window_rows',
      help: `Rows in the drift window (at most DRIFT_WINDOW = ${windowSize}).`,
      registers: [target],
      async collect() {
        const now = await reportNow();
        this.set(now.inputs[0]?.rows ?? now.score?.rows ?? 0);
      },
    });
  };
  // In one process the gauges are this process's; in a cluster the primary registers them (cluster.js).
  if (profile && !clustered) registerGauges(registry, async () => [snapshot()]);

  return {
    enabled: Boolean(profile),
    /**
     * `rowCount` rows scored: `cell(row, inputIndex, position)` is a row's value of an input (in
     * manifest order; position within an [N,F] input), `predictions` their predictions.
     */
    observe(rowCount, cell, predictions) {
      for (const check of unseenChecks) {
        for (let row = 0; row < rowCount; row++) {
          for (let k = 0; k < check.width; k++)
            if (check.rule(cell(row, check.index, k))) check.counter.inc();
        }
      }
      if (!profile) return;
      const now = Date.now();
      for (const { inputIndex, window } of features) {
        const position = window.feature.position;
        for (let row = 0; row < rowCount; row++) window.add(cell(row, inputIndex, position), now);
      }
      if (score && predictions) {
        for (const prediction of predictions) {
          const value = scoreOf(prediction);
          if (value !== undefined) score.add(value, now);
        }
      }
    },
    snapshot,
    report,
    registerGauges,
  };
}
