import type { CliCommand } from '../command.ts';

/** A command as `modeldock --help` lists it; its module (usage and code) loads only when it is used. */
export interface CommandEntry {
  name: string;
  /** One line for `modeldock --help`. */
  summary: string;
  /** Whether it opens a model file: its reader worker is then started before the command loads. */
  opensModel: boolean;
  load(): Promise<CliCommand>;
}

/**
 * Every `modeldock` command; each lives in its own file. Loaded on use, so `modeldock --help` parses and
 * runs none of them (nor zod's contract or onnxruntime): it answers in well under 150 ms.
 */
export const commands: CommandEntry[] = [
  {
    name: 'inspect',
    summary: 'show a model file’s checksums, inputs, outputs and task',
    opensModel: true,
    load: async () => (await import('./inspect.ts')).inspectCommand,
  },
  {
    name: 'predict',
    summary: 'score a JSON payload with a model file',
    opensModel: true,
    load: async () => (await import('./predict.ts')).predictCommand,
  },
  {
    name: 'explain',
    summary: 'why a payload scores what it does: each input’s contribution',
    opensModel: true,
    load: async () => (await import('./explain.ts')).explainCommand,
  },
  {
    name: 'compare',
    summary: 'score one CSV with two versions of a model and compare',
    opensModel: true,
    load: async () => (await import('./compare.ts')).compareCommand,
  },
  {
    name: 'score',
    summary: 'score every row of a CSV file into a new CSV',
    opensModel: true,
    load: async () => (await import('./score.ts')).scoreCommand,
  },
  {
    name: 'history',
    summary: 'list the batch and compare runs kept, or show one again',
    opensModel: false,
    load: async () => (await import('./history.ts')).historyCommand,
  },
  {
    name: 'export',
    summary: 'write a Docker deployment bundle for a model file',
    opensModel: true,
    load: async () => (await import('./export.ts')).exportCommand,
  },
  {
    name: 'convert',
    summary: 'convert a scikit-learn pickle/joblib file to ONNX (no code from the file runs)',
    opensModel: true,
    load: async () => (await import('./convert.ts')).convertCommand,
  },
];
