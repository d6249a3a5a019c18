const BASE = 'http://console.invalid';

/**
 * Where to go after logging in: only a path of this console. Anything else (another origin,
 * `//host`, `/\host`, a scheme, control characters) falls back to `/`, so a crafted login link
 * cannot send a freshly logged-in user to a look-alike site.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2048) return '/';
  // eslint-disable-next-line no-control-regex
  if (!next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? '/' : path;
}

/** The login page's address that comes back to `next` afterwards. */
export function loginUrl(next: string): string {
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}
