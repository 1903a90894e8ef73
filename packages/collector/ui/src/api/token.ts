/**
 * The bearer token lives in sessionStorage: it survives a reload but not the tab, and is never
 * put in a URL (URLs end up in history, logs and Referer headers).
 */
const KEY = 'stitch.token';

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
