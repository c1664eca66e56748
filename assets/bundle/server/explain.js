// POST /explain: why a payload scores what it does, as each input's Shapley contribution against the
// background rows the bundle was exported with (explain/background.json, listed in manifest.json's
// "explain"). The computation is ModelDock's own (explainCheckedRow in runtime.generated.js, generated
// from main/analysis/explain.ts), so the service answers with the app's and the CLI's numbers.
// Without background rows the route answers 404 with a sentence saying how to get one.
import client from 'prom-client';
import { PayloadError, readPayload } from './payload.js';
import { explainCheckedRow, readBackgroundFileText } from './runtime.generated.js';

/** The bundle's background rows (explain/background.json, read and checked by main.js). */
export function parseExplainBackground(manifest, bytes) {
  return readBackgroundFileText(manifest.model.inputs, bytes.toString('utf8'));
}

const noBackground =
  'This service was exported without background rows, so it cannot explain predictions. Export the model again from ModelDock with background rows for /explain (a reference CSV, a CSV you pick, or the golden samples).';

/**
 * Registers POST /explain. `payloadOptions` are /predict's (inputs, MAX_BATCH, UNKNOWN_FIELDS): the same
 * body is accepted, one row at a time. Explanations are counted in explanations_total.
 */
export function registerExplainRoute(
  app,
  { manifest, model, background, payloadOptions, modelRef, registry },
) {
  const explanations = new client.Counter({
    name: 'explanations_total',
    help: 'Payloads explained by POST /explain, by method (exact or sampled).',
    labelNames: ['method'],
    registers: [registry],
  });
  if (!background) {
    app.post('/explain', async (_request, reply) =>
      reply.code(404).send({ error: 'not-found', message: noBackground }),
    );
    return;
  }
  const explainable = {
    info: { ...manifest.model, file: { fileName: manifest.source?.fileName ?? 'model.onnx' } },
    session: model.session,
  };
  app.post('/explain', async (request, reply) => {
    const { batch, rows, warnings } = readPayload(request.body, payloadOptions);
    if (batch) {
      throw new PayloadError([
        { field: 'instances', message: 'explain one payload at a time, not {"instances": [...]}' },
      ]);
    }
    let explanation;
    try {
      explanation = await explainCheckedRow(explainable, request.body, rows[0], background);
    } catch (error) {
      // ModelDock's own refusals (a model with nothing to explain, say) are sentences for the client.
      if (error?.name === 'AppError')
        return reply.code(422).send({ error: error.code, message: error.message });
      throw error;
    }
    explanations.inc({ method: explanation.method });
    explanation.warnings = warnings;
    return { ...explanation, model: modelRef };
  });
}
