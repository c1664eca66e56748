// Loads a built main.cjs on the electron stub, then talks to it the way the preload does, and prints
// what happened as one JSON line for tests/electron/main-bundle.test.ts. argv[2] is a JSON object:
// { mainBundle, model, pickle, bigModel, csv, output, exportDir } (paths).
const stub = require('./stub-electron.cjs');

const input = JSON.parse(process.argv[2]);
require(input.mainBundle);

async function main() {
  // main registers its handlers once app.whenReady() resolves.
  for (let i = 0; i < 100 && !stub.handlers.has('modeldock:call'); i++)
    await new Promise((r) => setTimeout(r, 20));
  const window = stub.currentWindow();
  const call = stub.handlers.get('modeldock:call');
  const pageUrl = window.url;
  // The page and a traversal attempt, through the app:// handler main registered.
  const serve = stub.protocolHandlers.get('app');
  const fetchApp = async (url) => {
    const response = await serve(new Request(url));
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      csp: response.headers.get('content-security-policy'),
      body: await response.text(),
    };
  };
  const page = await fetchApp(pageUrl);
  const traversal = await fetchApp('app://modeldock/..%2f..%2fpackage.json');
  const own = { sender: window.webContents, senderFrame: { url: pageUrl, parent: null } };
  const opened = await call(own, 'model.open', { path: input.model });
  const payload = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };
  const predicted = await call(own, 'model.predict', { modelId: opened.value?.modelId, payload });
  const pickle = await call(own, 'model.open', { path: input.pickle });
  // Big enough that checksums.ts hashes it on its worker threads.
  const bigModel = await call(own, 'model.open', { path: input.bigModel });
  const scored = await call(own, 'batch.score', {
    modelId: opened.value?.modelId,
    path: input.csv,
    outputPath: input.output,
  });
  // Renders the Docker bundle from the template the app ships (assets/bundle).
  const exported = await call(own, 'export.bundle', {
    modelId: opened.value?.modelId,
    outDir: input.exportDir,
  });
  const foreignPage = await call(
    { sender: window.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
    'app.info',
    {},
  );
  const subFrame = await call(
    { sender: window.webContents, senderFrame: { url: pageUrl, parent: { url: pageUrl } } },
    'app.info',
    {},
  );
  const info = await call(own, 'app.info', {});
  console.log(
    JSON.stringify({
      webPreferences: window.options.webPreferences,
      loadedUrl: window.url,
      privilegedSchemes: stub.privilegedSchemes,
      page,
      traversal,
      opened,
      predicted,
      pickle: pickle.ok ? { ok: true, format: pickle.value.format } : pickle,
      bigModel: bigModel.ok ? { ok: true, file: bigModel.value.file } : bigModel,
      scored: scored.ok ? { ok: true, value: { ...scored.value, report: undefined } } : scored,
      exported: exported.ok ? { ok: true, files: exported.value.files } : exported,
      foreignPage,
      subFrame,
      info,
      // Every module file loaded through require(), to show no TypeScript loader came in.
      loadedModules: Object.keys(require.cache),
    }),
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
