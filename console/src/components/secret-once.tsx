import { useState } from 'preact/hooks';

/** A new API key, shown this once, with a copy button. */
export function SecretOnce({
  label,
  value,
  onDone,
}: {
  label: string;
  value: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Copying is not allowed here: select the key and copy it by hand.');
    }
  };
  return (
    <div class="notice success" role="status" aria-live="polite">
      <p>
        <strong>{label}</strong> Store it now: it is shown only this once and cannot be retrieved
        again.
      </p>
      <div class="secret">
        <code data-testid="new-key">{value}</code>
        <button type="button" onClick={() => void copy()}>
          Copy key
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          I stored it
        </button>
      </div>
      {copied && <p class="hint">{copied}</p>}
    </div>
  );
}
