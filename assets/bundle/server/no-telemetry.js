// onnxruntime-node's native library records telemetry (1DS SDK: a store in ~/.cache/Microsoft, a
// mat-debug-<pid>.log in the temp dir, uploads) unless ORT_DISABLE_TELEMETRY is in the process
// environment when it initialises; its native code reads it with getenv(). The Dockerfile sets it too;
// this covers `node server/main.js` and `npm start` outside the container. model.js imports this first.
process.env.ORT_DISABLE_TELEMETRY = '1';
