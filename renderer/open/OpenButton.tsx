import { useId, useRef } from 'react';
import { OPENABLE_MODEL_EXTENSIONS } from '../../shared/model-file-extensions.ts';
import { selectDroppedFiles } from './dropped-files.ts';
import { openSelection } from './open-model.ts';

// A hint for the file picker, not a limit: the picker's "All files" still works and main detects the format by content.
const acceptedExtensions = OPENABLE_MODEL_EXTENSIONS.join(',');

/** A real file input behind a button: works with the keyboard, in Electron and in the browser. */
export function OpenButton(props: { primary?: boolean; label?: string; testId?: string }) {
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className={props.primary ? 'button primary' : 'button'}
        onClick={() => input.current?.click()}
      >
        {props.label ?? 'Open model…'}
      </button>
      <input
        id={inputId}
        ref={input}
        className="visually-hidden"
        type="file"
        accept={acceptedExtensions}
        aria-label="Model file"
        data-testid={props.testId}
        tabIndex={-1}
        onChange={(event) => {
          const files = event.currentTarget.files;
          if (files && files.length > 0) openSelection(selectDroppedFiles({ files }));
          // Allow picking the same file again.
          event.currentTarget.value = '';
        }}
      />
    </>
  );
}
