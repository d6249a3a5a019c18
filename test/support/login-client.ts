/** A parsed Set-Cookie header: the value and its attributes (names lower-cased). */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair, ...rest] = header.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const attribute of rest) {
    const i = attribute.indexOf('=');
    if (i < 0) attributes[attribute.toLowerCase()] = true;
    else attributes[attribute.slice(0, i).toLowerCase()] = attribute.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: decodeURIComponent(pair.slice(eq + 1)), attributes };
}

/**
 * A browser-like HTTP client over real fetch: keeps cookies (no redirects followed, so a test
 * sees each 303 and its Location) and reads the forms' hidden anti-forgery fields.
 */
export class LoginClient {
  readonly cookies = new Map<string, string>();
  /** Set-Cookie headers of the last response. */
  lastSetCookies: SetCookie[] = [];

  constructor(readonly baseUrl: string) {}

  async request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0 && headers.cookie === undefined) {
      headers.cookie = [...this.cookies]
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
        .join('; ');
    }
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.lastSetCookies = response.headers.getSetCookie().map(parseSetCookie);
    for (const cookie of this.lastSetCookies) {
      const expired = cookie.attributes['max-age'] === '0' || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  /** GET a page and read a hidden field of its form. */
  async hiddenField(path: string, name: string): Promise<{ html: string; value: string }> {
    const response = await this.request(path);
    const html = await response.text();
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!match) throw new Error(`no hidden field ${name} on ${path} (${response.status}): ${html}`);
    return { html, value: match[1] };
  }

  async logIn(username: string, password: string, next = '/'): Promise<Response> {
    const { value: csrf } = await this.hiddenField(
      `/login?next=${encodeURIComponent(next)}`,
      'csrf',
    );
    return this.request('/login', { form: { csrf, next, username, password } });
  }
}
