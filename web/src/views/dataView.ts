import { api, ApiError } from '../api';
import { h, clear, toast, table } from '../dom';
import { t, fmtTime, pick } from '../i18n';
import { can } from '../state';
import { navigate } from '../router';
import { timeChart } from '../charts';

/** The data office (数据办): catalog search, a dataset's schema, quality history and quarantine, the audit log. */
export function dataView(root: HTMLElement, params: Record<string, string>): () => void {
  const q = h('input', { id: 'catalog-search', type: 'search', placeholder: t('searchPlaceholder'), value: params.q ?? '' });
  const results = h('div', { class: 'catalog-results', id: 'catalog-results' });
  const detail = h('section', { class: 'dataset-detail', id: 'dataset-detail' });
  const tabs = h('div', { class: 'subtabs' },
    h('a', { href: '#/data', class: params.tab === 'audit' ? 'subtab' : 'subtab active' }, t('catalog')),
    can('data_office') ? h('a', { href: '#/data?tab=audit', class: params.tab === 'audit' ? 'subtab active' : 'subtab', id: 'audit-tab' }, t('audit')) : null);
  let disposeChart: (() => void) | null = null;

  if (params.tab === 'audit') {
    const box = h('section', { class: 'card wide', id: 'audit' });
    root.append(h('div', { class: 'data-layout single' }, tabs, box));
    loadAudit(box);
    return () => {};
  }

  const form = h('form', { class: 'search-row', id: 'catalog-form' }, q, h('button', { class: 'primary', type: 'submit' }, t('search')));
  root.append(h('div', { class: 'data-layout' }, h('div', { class: 'catalog-col' }, tabs, form, results), detail));

  const search = async () => {
    clear(results);
    const text = q.value.trim();
    const list: any[] = text ? (await api<any[]>(`/api/v1/catalog/search?q=${encodeURIComponent(text)}`)).map((x) => x.dataset) : await api<any[]>('/api/v1/catalog');
    for (const d of list) {
      results.append(h('button', { class: `dataset-row ${d.id === params.id ? 'selected' : ''}`, 'data-dataset': d.id, onclick: () => navigate('data', { q: q.value, id: d.id }) },
        h('span', { class: 'row-title' }, pick(d.nameZh, d.nameEn)),
        h('span', { class: 'row-meta' }, `${d.id} · ${d.owner}`),
        h('span', { class: 'pill' }, d.sharing)));
    }
    if (list.length === 0) results.append(h('p', { class: 'muted' }, t('noData')));
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    search();
  });

  const showDataset = async (id: string) => {
    clear(detail);
    const d: any = await api(`/api/v1/catalog/${encodeURIComponent(id)}`);
    detail.append(
      h('h2', null, pick(d.nameZh, d.nameEn), h('span', { class: 'muted small' }, ` ${d.id}`)),
      h('p', null, pick(d.descriptionZh, d.descriptionEn)),
      h('dl', { class: 'props inline' }, [[t('owner'), d.owner], [t('grade'), `${d.grade} (${d.gradeStandard ?? ''})`], [t('sharing'), d.sharing], [t('records'), d.records], [t('score'), d.latestQuality?.score?.toFixed?.(1) ?? '—']]
        .flatMap(([k, v]) => [h('dt', null, String(k)), h('dd', null, String(v ?? '—'))])),
      h('div', { class: 'card' }, h('h3', null, t('schema')), table([t('field'), t('type'), t('unit'), t('required'), t('personal'), t('description')],
        d.fields.map((f: any) => [h('code', null, f.name), f.type, f.unit ?? '', f.required ? '✓' : '', f.personal ?? '', pick(f.descriptionZh, f.descriptionEn)]), { id: 'schema-table' })));
    const qualityBox = h('div', { class: 'card' }, h('h3', null, t('quality')));
    const chartEl = h('div', { class: 'chart small' });
    detail.append(qualityBox);
    const batches: any[] = await api(`/api/v1/datasets/${encodeURIComponent(id)}/quality?limit=30`);
    if (batches.length) {
      qualityBox.append(chartEl);
      const ordered = [...batches].reverse();
      disposeChart?.();
      disposeChart = timeChart(chartEl, [
        { name: t('score'), unit: '%', points: ordered.map((b) => [Date.parse(b.startedAt), b.score]), color: '#34d399' },
        { name: t('quarantined'), points: ordered.map((b) => [Date.parse(b.startedAt), b.quarantined]), yAxis: 1, kind: 'bar', color: '#f97316' },
      ]);
    }
    qualityBox.append(table([t('time'), t('source'), t('read'), t('stored'), t('quarantined'), t('score'), t('rule')],
      batches.map((b) => [fmtTime(b.startedAt), b.source, b.read, b.stored, b.quarantined, b.score?.toFixed?.(1) ?? '', b.rules.map((r: any) => `${r.rule}×${r.records}`).join(', ')]), { id: 'quality-table' }));
    const qBox = h('div', { class: 'card', id: 'quarantine' }, h('h3', null, t('quarantine')));
    detail.append(qBox);
    try {
      const items: any[] = await api(`/api/v1/datasets/${encodeURIComponent(id)}/quarantine?status=open&limit=100`, { quiet401: true });
      qBox.append(table([t('time'), t('rule'), t('reason'), t('raw'), ''], items.map((x) => {
        const raw = h('textarea', { class: 'raw', rows: 2 }, x.raw ?? '');
        return [fmtTime(x.createdAt), x.rule, x.reason, raw, h('button', { class: 'small primary', 'data-resubmit': x.id, onclick: async () => {
          try {
            const r: any = await api(`/api/v1/quarantine/${x.id}/resubmit`, { method: 'POST', body: raw.value === (x.raw ?? '') ? undefined : raw.value });
            toast(`${t('resubmit')}: ${t('stored')} ${r.stored}, ${t('quarantined')} ${r.quarantined}`, r.quarantined ? 'error' : 'ok');
            showDataset(id);
          } catch (e) {
            toast(e instanceof ApiError ? e.message : String(e), 'error');
          }
        } }, t('resubmit'))];
      }), { id: 'quarantine-table' }));
    } catch (e) {
      qBox.append(h('p', { class: 'muted' }, (e as Error).message));
    }
  };

  search();
  if (params.id) showDataset(params.id).catch((e) => detail.append(h('p', { class: 'warn' }, String(e))));
  return () => disposeChart?.();
}

async function loadAudit(box: HTMLElement): Promise<void> {
  clear(box);
  box.append(h('h3', null, t('audit')));
  try {
    const entries: any[] = await api('/api/v1/audit?limit=200');
    box.append(table([t('time'), t('organisation'), 'key', t('dataset'), t('action'), t('query'), t('rows'), t('client'), 'SM3'],
      entries.map((e) => [fmtTime(e.at), e.organisation, e.keyId ?? '', e.datasetId, e.action, h('code', { class: 'query' }, e.query), e.rowCount, e.client ?? '', h('code', { class: 'hash' }, String(e.hash).slice(0, 12))]), { id: 'audit-table' }));
  } catch (e) {
    box.append(h('p', { class: 'warn' }, (e as Error).message));
  }
}
