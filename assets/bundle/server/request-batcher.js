// Requests that arrive together are scored in one onnxruntime run. A run has a fixed cost (the binding,
// its input tensors, an event-loop hop; and ModelDock pads every run to 16 rows, main/models/tensors.ts)
// that a request of one row pays alone, and under load several requests are read in the same turn of the
// event loop. Scored together they share it: the lead model's service answered about twice the requests/s
// on two cores (docs/benchmarks.md). A row's numbers do not depend on the rows it runs with (the padding;
// tests/core/batch-invariance.test.ts), so each request gets exactly the answer it gets alone.

/**
 * @template P
 * Collects the rows of the requests that reach `score` in one turn of the event loop and scores them
 * together with `scoreRows` (rows → one prediction per row), at most `maxRows` rows a run.
 */
export class RequestBatcher {
  /**
   * @param {(rows: object[]) => Promise<P[]>} scoreRows
   * @param {{maxRows: number}} options
   */
  constructor(scoreRows, { maxRows }) {
    this.scoreRows = scoreRows;
    this.maxRows = maxRows;
    this.pending = [];
    this.pendingRows = 0;
  }

  /** @param {object[]} rows @returns {Promise<P[]>} this request's predictions, in its row order */
  score(rows) {
    if (rows.length >= this.maxRows) return this.scoreRows(rows);
    if (this.pendingRows + rows.length > this.maxRows) this.flush();
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      this.pendingRows += rows.length;
      // After the poll phase: every request read in this turn has been added by then.
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  flush() {
    const requests = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    if (requests.length === 0) return;
    if (requests.length === 1) {
      const [only] = requests;
      this.scoreRows(only.rows).then(only.resolve, only.reject);
      return;
    }
    this.scoreRows(requests.flatMap((request) => request.rows)).then(
      (predictions) => {
        let start = 0;
        for (const request of requests) {
          request.resolve(predictions.slice(start, start + request.rows.length));
          start += request.rows.length;
        }
      },
      // One request's rows made the run fail (onnxruntime refuses some inputs only when it runs):
      // each is scored alone, so the error reaches that request and the others are answered.
      () => {
        for (const request of requests) this.scoreRows(request.rows).then(request.resolve, request.reject);
      },
    );
  }
}
