// Loads dist/electron/main.cjs on the electron stub, then talks to it the way the preload does, and prints
// what happened as one JSON line for tests/electron/main-bundle.test.ts.
const { pathToFileURL } = require('node:url');
const stub = require('./stub-electron.cjs');

require(process.argv[2]);

async function main() {
  const [modelPath, picklePath] = process.argv.slice(3);
  // main registers its handlers once app.whenReady() resolves.
  for (let i = 0; i < 100 && !stub.handlers.has('modeldock:call'); i++)
    await new Promise((r) => setTimeout(r, 20));
  const window = stub.currentWindow();
  const call = stub.handlers.get('modeldock:call');
  const pageUrl = pathToFileURL(window.file).href;
  const own = { sender: window.webContents, senderFrame: { url: pageUrl, parent: null } };
  const opened = await call(own, 'model.open', { path: modelPath });
  const predicted = await call(own, 'model.predict', {
    modelId: opened.value?.modelId,
    payload: { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 },
  });
  const pickle = await call(own, 'model.open', { path: picklePath });
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
      loadedFile: window.file,
      opened,
      predicted,
      pickle: pickle.ok ? { ok: true, format: pickle.value.format } : pickle,
      foreignPage,
      subFrame,
      info,
    }),
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
