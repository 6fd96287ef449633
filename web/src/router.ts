export type Params = Record<string, string>;

export function current(): { view: string; params: Params } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [view, query] = hash.split('?');
  return { view: view || 'map', params: Object.fromEntries(new URLSearchParams(query ?? '')) };
}

export function navigate(view: string, params: Params = {}): void {
  const q = new URLSearchParams(params).toString();
  location.hash = `#/${view}${q ? `?${q}` : ''}`;
}
