import { useEffect, useState } from 'preact/hooks';

/** Client routes live under /console/ (the gateway answers index.html for each of them). */
export const BASE = '/console';

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (`${location.pathname}${location.search}` === path) return;
  history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

/** The current route, relative to the console's base: '/', '/spend', '/tenants/acme'. */
export function currentRoute(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return path === '' ? '/' : path;
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** Plain left clicks on console links stay in the page; anything else is the browser's. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest('a');
  const href = anchor?.getAttribute('href');
  if (!anchor || !href || !href.startsWith(`${BASE}/`) || anchor.target) return;
  if (anchor.hasAttribute('download')) return;
  event.preventDefault();
  navigate(href);
}
