/**
 * onnxruntime-node's native library carries Microsoft's 1DS telemetry SDK. Unless ORT_DISABLE_TELEMETRY
 * is set when the library initialises, it records session events (model metadata, CPU, a persistent
 * device id) into $XDG_CACHE_HOME or ~/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db,
 * leaves mat-debug-<pid>.log and .ses in the temp dir, and tries to reach its upload host.
 *
 * The flag is read by the native code with getenv(), not by onnxruntime-node's JavaScript
 * (dist/binding.js passes only the log level), so it must be in the real process environment before
 * the first session is created. Only the main thread's process.env writes through to the OS
 * environment; a worker's process.env is a private copy, so a worker can't switch it off for itself.
 *
 * Hence: every module that loads onnxruntime-node or starts a worker imports this module first, and
 * every entry point (CLI, browser host, Electron main, workers) imports it before anything else.
 * It overrides a value set by the user: ModelDock sends nothing anywhere (docs/security.md).
 */
export const telemetryFlag = { name: 'ORT_DISABLE_TELEMETRY', value: '1' } as const;

process.env[telemetryFlag.name] = telemetryFlag.value;
