import { useRef } from 'preact/hooks';

export interface EditorError {
  readonly line: number | null;
  readonly path: string;
  readonly message: string;
}

/**
 * A plain-text editor for the policy DSL with line numbers; a compile error marks its line in the
 * gutter and is listed right under the editor with a button that puts the cursor on that line.
 */
export function DslEditor({
  id,
  label,
  value,
  readOnly,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  readOnly: boolean;
  error: EditorError | null;
  onChange: (value: string) => void;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split('\n');
  const goTo = (line: number) => {
    const element = area.current;
    if (!element) return;
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    element.focus();
    element.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };
  return (
    <div>
      <label for={id}>{label}</label>
      <div class="editor" data-invalid={error !== null}>
        <div class="gutter" ref={gutter} aria-hidden="true">
          {lines.map((_line, index) => (
            <div key={index} class={error?.line === index + 1 ? 'bad' : undefined}>
              {index + 1}
            </div>
          ))}
        </div>
        <textarea
          id={id}
          ref={area}
          class="code"
          spellcheck={false}
          autoComplete="off"
          wrap="off"
          rows={Math.max(12, Math.min(lines.length + 1, 30))}
          readOnly={readOnly}
          value={value}
          aria-invalid={error !== null}
          aria-describedby={error ? `${id}-error` : undefined}
          onInput={(event) => onChange(event.currentTarget.value)}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      {error && (
        <ul class="inline-errors" id={`${id}-error`} role="alert">
          <li data-line={error.line ?? ''}>
            {error.line !== null ? `Line ${error.line}` : 'Policy'}
            {error.path ? ` (${error.path})` : ''}: {error.message}
            {error.line !== null && (
              <button type="button" class="secondary" onClick={() => goTo(error.line as number)}>
                Go to line {error.line}
              </button>
            )}
          </li>
        </ul>
      )}
    </div>
  );
}
