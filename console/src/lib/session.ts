/**
 * The admin token lives in sessionStorage only (per tab, gone when the tab closes), never in a URL,
 * a cookie or localStorage. Sign-out removes it.
 */
const KEY = 'gateway-console.admin-token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Storage unavailable: nothing was stored.
  }
}
