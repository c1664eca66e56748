import type { ColumnMapping, MappingEntry, MissingPolicy, ModelInput } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';

/** Names match ignoring case, spaces, dashes and underscores: "Annual Income" ~ "annual_income". */
export function normalizeColumnName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** The names an input's slots are looked up by: the input name, or its feature names for [N,F]. */
export function expectedNames(input: ModelInput): string[] {
  if (input.width === 1) return [input.name];
  if (input.featureNames && input.featureNames.length === input.width) return input.featureNames;
  return Array.from({ length: input.width }, (_, index) => `${input.name}_${index}`);
}

/** Proposes a column for every input slot; `edits` (from the user) win over the automatic match. */
export function proposeMapping(
  inputs: ModelInput[],
  columns: string[],
  edits: ColumnMapping = {},
): MappingEntry[] {
  const byNormalized = new Map<string, string>();
  for (const column of columns) {
    const key = normalizeColumnName(column);
    if (!byNormalized.has(key)) byNormalized.set(key, column);
  }
  return inputs.map((input) => {
    const names = expectedNames(input);
    const edited = edits[input.name];
    const slots = names.map((name, index) => {
      const choice = edited?.[index];
      if (choice !== undefined && choice !== '') return columns.includes(choice) ? choice : null;
      return byNormalized.get(normalizeColumnName(name)) ?? null;
    });
    return { input: input.name, kind: input.kind, columns: slots, expectedNames: names };
  });
}

export function unmappedInputs(mapping: MappingEntry[]): string[] {
  return mapping
    .filter((entry) => entry.columns.some((column) => column === null))
    .map((entry) => entry.input);
}

/** Column indexes per input slot, for a mapping with every slot filled. */
export function columnIndexes(mapping: MappingEntry[], columns: string[]): number[][] {
  return mapping.map((entry) => entry.columns.map((column) => columns.indexOf(column ?? '')));
}

const labelWords = new Set(['converted', 'label', 'target', 'y', 'class', 'outcome']);

/** A label column to suggest: one named like a target (e.g. `converted`). */
export function suggestLabelColumn(columns: string[], inputColumns: Set<string>): string | undefined {
  return columns.find((column) => !inputColumns.has(column) && labelWords.has(normalizeColumnName(column)));
}

/**
 * The missing-cell policy used when the user chose none: leave the value out for an input the
 * converted scikit-learn pipeline handles itself (its answer is then exactly scikit-learn's), fail
 * the row for every other input (no guessing).
 */
export function defaultMissingPolicy(input: Pick<ModelInput, 'optional'>): MissingPolicy {
  return input.optional ? { mode: 'omit' } : { mode: 'fail' };
}

/**
 * One policy per mapped input: the user's choice, else the default. Refuses `omit` for an input the
 * model can't take without a value, since the graph would then score a made-up NaN or "".
 */
export function resolveMissingPolicies(
  inputs: readonly ModelInput[],
  mapping: readonly MappingEntry[],
  chosen: Record<string, MissingPolicy> = {},
): Record<string, MissingPolicy> {
  const resolved: Record<string, MissingPolicy> = {};
  for (const entry of mapping) {
    const input = inputs.find((candidate) => candidate.name === entry.input);
    const policy = chosen[entry.input] ?? defaultMissingPolicy(input ?? {});
    if (policy.mode === 'omit' && !input?.optional) {
      throw new AppError(
        'bad-request',
        `The model needs a value for ${entry.input}, so its empty cells can't be left out; fail those rows or fill in a value.`,
        { input: entry.input },
      );
    }
    resolved[entry.input] = policy;
  }
  return resolved;
}
