import type { ComponentChildren } from 'preact';

/** A status line read out by screen readers: errors interrupt, other news waits its turn. */
export function Notice({
  kind,
  children,
}: {
  kind: 'error' | 'info' | 'success';
  children: ComponentChildren;
}) {
  return (
    <p class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}
