import type { DriftReport } from '../../shared/contract/index.ts';
import type { CompareFigures } from '../analysis/compare.ts';
import type { ReferenceProfile } from '../analysis/drift.ts';
import {
  type ExplainOutputOptions,
  explainOutput,
  type GlobalImportance,
} from '../analysis/explain-batch.ts';
import {
  type CompareOptions,
  compareOutput,
  type DriftOptions,
  driftOutput,
  type ProfileOptions,
  profileOutput,
} from '../analysis/targets.ts';
import type { OutputKind, OutputTarget, TargetSetup } from './output-targets.ts';

/**
 * The further outputs a run can compute in its one pass (output-targets.ts), by name. To add one:
 * an entry here, its options in EngineOutputs and its result in OutputResults.
 */
export const outputKinds = {
  compare: compareOutput,
  drift: driftOutput,
  profile: profileOutput,
  explain: explainOutput,
};

/** Which further outputs a run computes, with their options (plain data: it crosses into the worker). */
export interface EngineOutputs {
  compare?: CompareOptions;
  drift?: DriftOptions;
  profile?: ProfileOptions;
  explain?: ExplainOutputOptions;
}

export interface OutputResults {
  compare?: CompareFigures;
  drift?: DriftReport;
  profile?: ReferenceProfile;
  explain?: GlobalImportance;
}

type OutputName = keyof typeof outputKinds & keyof EngineOutputs;

function requested(outputs: EngineOutputs | undefined): OutputName[] {
  return (Object.keys(outputKinds) as OutputName[]).filter((name) => outputs?.[name] !== undefined);
}

/** The worker's targets for the outputs the job asks for. */
export function createTargets(
  outputs: EngineOutputs | undefined,
  setup: TargetSetup,
): Array<[OutputName, OutputTarget]> {
  return requested(outputs).map((name) => {
    const kind = outputKinds[name] as OutputKind<unknown, unknown, unknown>;
    return [name, kind.create(outputs?.[name], setup)];
  });
}

/** The workers' states (one record per part, in file order) merged into each output's result. */
export function mergeOutputs(
  outputs: EngineOutputs | undefined,
  parts: ReadonlyArray<Record<string, unknown>>,
): OutputResults {
  const results: Record<string, unknown> = {};
  for (const name of requested(outputs)) {
    const kind = outputKinds[name] as OutputKind<unknown, unknown, unknown>;
    results[name] = kind.merge(
      parts.map((part) => part[name]),
      outputs?.[name],
    );
  }
  return results as OutputResults;
}
