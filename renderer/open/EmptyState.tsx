import { OpenButton } from './OpenButton.tsx';
import { RecentModels } from './RecentModels.tsx';

/** First screen: what to do, in one sentence, and the two ways to do it. */
export function EmptyState() {
  return (
    <section className="empty" data-testid="empty-state">
      <div className="empty-drop" aria-hidden="true">
        <svg viewBox="0 0 48 48" width="56" height="56" role="presentation">
          <path d="M24 6v24m0 0-9-9m9 9 9-9M8 34v6h32v-6" fill="none" stroke="currentColor" strokeWidth="3" />
        </svg>
      </div>
      <h1>Drop a model file anywhere in this window</h1>
      <p>
        ONNX models and scikit-learn pickle or joblib files. ModelDock checks the file (SHA-256, MD5), shows
        its inputs and lets you try payloads — nothing in the file is ever run as code.
      </p>
      <OpenButton primary />
      <RecentModels />
    </section>
  );
}
