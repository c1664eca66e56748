/**
 * Which file names ModelDock takes for a model, for every surface that decides by name: the desktop
 * app's argv and Open dialog (main/electron/file-associations.ts) and the renderer's file picker and
 * drops (renderer/open/dropped-files.ts). The model service detects the format by content anyway;
 * these only decide what is offered and opened.
 */

/** Extensions registered as file associations in electron-builder.yml (a test keeps the two in step). */
export const MODEL_FILE_EXTENSIONS = ['.onnx', '.pkl', '.pickle', '.joblib'] as const;

/**
 * Extensions opened as a model: the associated ones plus `.bin` (the guide saves `pipeline_v1.bin`),
 * `.sav`, and XGBoost's own `model.ubj` / `model.json` / `.model` files. These are not associated with
 * the app (`.bin` is far too generic), but a file given explicitly should still open.
 */
export const OPENABLE_MODEL_EXTENSIONS = [
  ...MODEL_FILE_EXTENSIONS,
  '.bin',
  '.sav',
  '.ubj',
  '.json',
  '.model',
] as const;
