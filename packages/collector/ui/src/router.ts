import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/trace/<id>`, `#/search?tenant=…`): they work under /ui/ and from a file on
 * disk alike, and the server needs no fallback for deep links.
 */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  return { path: pathPart.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(queryPart) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(path: string, query?: string): string {
  return `#/${path}${query ? `?${query}` : ''}`;
}

export function navigate(path: string, query?: string): void {
  location.hash = href(path, query);
}
