export interface BundleSpec {
  /** File-name prefix of the cached bundle. */
  name: string;
  /** Entry point, relative to `root`. */
  entry: string;
  /** The package the entry belongs to (default: ModelDock's); the cache is its node_modules/.cache/modeldock. */
  root?: string;
  format: 'esm' | 'cjs';
  /** Bundle npm packages too (all but `external`); by default they stay imports resolved from node_modules. */
  bundlePackages?: boolean;
  external?: string[];
}

/** The absolute path of an up-to-date bundle of `spec.entry`, or undefined when none can be built. */
export function cachedBundle(spec: BundleSpec): Promise<string | undefined>;

/** Runs a CommonJS bundle made by cachedBundle and returns its exports, keeping V8's code cache beside it. */
export function loadBundle(file: string): unknown;
