export interface BundleSpec {
  /** File-name prefix of the cached bundle. */
  name: string;
  /** Entry point, relative to the package root. */
  entry: string;
  format: 'esm' | 'cjs';
  /** Bundle npm packages too (all but `external`); by default they stay imports resolved from node_modules. */
  bundlePackages?: boolean;
  external?: string[];
}

/** The absolute path of an up-to-date bundle of `spec.entry`, or undefined when none can be built. */
export function cachedBundle(spec: BundleSpec): Promise<string | undefined>;
