// Every call sends the session cookie and the console header the server requires for changes.
export class ApiError extends Error {
  constructor(public status: number, public problem: Record<string, unknown>) {
    super(String(problem.detail ?? problem.title ?? `HTTP ${status}`));
  }
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { 'X-TB-Console': '1', Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (init.body !== undefined) {
    if (typeof init.body === 'string') {
      body = init.body;
      headers['Content-Type'] = 'text/plain; charset=utf-8';
    } else {
      body = JSON.stringify(init.body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body, credentials: 'same-origin' });
  if (!res.ok) {
    let problem: Record<string, unknown> = {};
    try {
      problem = await res.json();
    } catch {
      problem = { title: res.statusText };
    }
    if (res.status === 401 && !init.quiet401) onUnauthorized();
    throw new ApiError(res.status, problem);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const post = <T>(path: string, body?: unknown) => api<T>(path, { method: 'POST', body: body ?? {} });
export const put = <T>(path: string, body?: unknown) => api<T>(path, { method: 'PUT', body: body ?? {} });
