import type { ColumnMapping, MappingEntry, ModelInput } from '../../shared/contract/index.ts';

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
