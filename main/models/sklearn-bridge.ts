import type { SklearnConversion } from '../sklearn/index.ts';

export type { SklearnConversion };

/**
 * Converts a pickle/joblib file to ONNX bytes without running any code from it (main/sklearn/).
 * The converter is loaded on first use: it is large, and sessions that only open ONNX never need it.
 * A literal specifier keeps it visible to the type checker and to the Electron bundler.
 */
export async function convertSklearn(
  filePath: string | readonly string[],
  options: { dataDir: string; sha256: string; signal?: AbortSignal },
): Promise<SklearnConversion> {
  const { convertSklearnFile } = await import('../sklearn/index.ts');
  return convertSklearnFile(filePath, options);
}
