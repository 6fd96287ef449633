import { api, post, ApiError } from '../api';
import { h, clear, toast, table } from '../dom';
import { t, fmtTime, fmtDuration, getLang } from '../i18n';
import { can, live } from '../state';
import { navigate } from '../router';

const kinds = ['collision', 'breakdown', 'congestion', 'dangerous_goods', 'weather', 'road_works', 'obstacle', 'other'];
const kindZh: Record<string, string> = { collision: '交通事故', breakdown: '车辆故障', congestion: '交通拥堵', dangerous_goods: '危险品车辆事故', weather: '恶劣天气', road_works: '道路施工', obstacle: '路面障碍物', other: '突发事件' };
const kindEn: Record<string, string> = { collision: 'Collision', breakdown: 'Breakdown', congestion: 'Congestion', dangerous_goods: 'Dangerous goods', weather: 'Weather', road_works: 'Road works', obstacle: 'Obstacle', other: 'Other' };
const resourceZh: Record<string, string> = { patrol: '巡查', rescue: '救援', tow: '清障拖车', medical: '医疗急救', fire: '消防', maintenance: '养护抢修' };
const flow = ['candidate', 'confirmed', 'planned', 'dispatched', 'on_scene', 'cleared', 'closed'];
const stateZh: Record<string, string> = { candidate: '待核实', confirmed: '已确认', planned: '已制定预案', dispatched: '已调度', on_scene: '已到场', cleared: '已清障', closed: '已关闭', dismissed: '已排除' };

const sourceZh: Record<string, string> = { report: '上报', detection: '监测发现', alarm: '车辆报警' };
// the actions of the incident's steps (Governance IncidentActions)
const actionZh: Record<string, string> = {
  open: '登记', confirm: '确认', dismiss: '排除', plan: '制定预案', dispatch: '调度', arrive: '到场', release_resource: '撤回力量',
  clear: '清障', close: '关闭', set_control: '下达管控', lift_control: '解除管控', draft_release: '起草发布', approve_release: '审核通过',
  reject_release: '退回发布', publish_release: '发布', withdraw_release: '撤回发布',
};
const controlStateZh: Record<string, string> = { active: '生效中', lifted: '已解除' };
const controlStateName = (s: string) => (getLang() === 'en' ? s : controlStateZh[s]) ?? s;
const actionName = (a: string) => (getLang() === 'en' ? a.replace(/_/g, ' ') : actionZh[a]) ?? a;
const kindName = (k: string) => (getLang() === 'en' ? kindEn[k] : kindZh[k]) ?? k;
const stateName = (s: string) => (getLang() === 'en' ? s.replace('_', ' ') : stateZh[s]) ?? s;
const resName = (k: string) => (getLang() === 'en' ? k : resourceZh[k]) ?? k;

interface View { incident: any; stateZh: string; kindZh: string; severityZh: string; timings: any; next: string[] }

/** Incidents and the emergency workflow: list, details, every step as a button, controls and releases. */
export function incidentsView(root: HTMLElement, params: Record<string, string>): () => void {
  const list = h('div', { class: 'incident-list', id: 'incident-list' });
  const detail = h('section', { class: 'incident-detail', id: 'incident-detail' });
  const metrics = h('div', { class: 'metrics-strip', id: 'metrics' });
  root.append(h('div', { class: 'incidents-layout' },
    h('div', { class: 'incident-col' },
      h('div', { class: 'toolbar' }, h('h2', null, t('incidentList')),
        can('incidents') ? h('button', { class: 'primary', id: 'new-incident', onclick: () => showNew({}) }, `＋ ${t('newIncident')}`) : null),
      metrics, list),
    detail));
  let selected: string | null = params.id ?? null;
  let incidents: View[] = [];
  let renderSeq = 0;

  const refreshList = async () => {
    const r: any = await api('/api/v1/incidents?limit=200');
    incidents = r.incidents;
    clear(list);
    for (const v of incidents) {
      const i = v.incident;
      list.append(h('button', { class: `incident-row ${i.id === selected ? 'selected' : ''} state-${i.state}`, 'data-id': i.id, onclick: () => select(i.id) },
        h('span', { class: `state-badge state-${i.state}` }, stateName(i.state)),
        h('span', { class: 'row-title' }, i.title),
        h('span', { class: 'row-meta' }, `${kindName(i.kind)} · ${fmtTime(i.detectedAt)}`)));
    }
    if (incidents.length === 0) list.append(h('p', { class: 'muted' }, t('noData')));
    const m: any = await api('/api/v1/incidents/metrics');
    clear(metrics);
    const cell = (label: string, s: any) => h('div', { class: 'metric' }, h('div', { class: 'metric-value' }, fmtDuration(s.medianS)), h('div', { class: 'metric-label' }, `${label} (${t('median')}, n=${s.count})`));
    metrics.append(
      h('div', { class: 'metric' }, h('div', { class: 'metric-value' }, `${m.open}/${m.total}`), h('div', { class: 'metric-label' }, `${t('openIncidents')}/${t('total')}`)),
      cell(t('toConfirm'), m.timeToConfirm), cell(t('toDispatch'), m.timeToDispatch), cell(t('toArrive'), m.timeToArrive), cell(t('toClear'), m.timeToClear));
  };

  const select = (id: string) => {
    selected = id;
    list.querySelectorAll('.incident-row').forEach((el) => el.classList.toggle('selected', (el as HTMLElement).dataset.id === id));
    renderDetail();
  };

  const act = async (path: string, body: unknown = {}) => {
    try {
      const v = await post<View>(path, body);
      toast(t('done'));
      await refreshList();
      renderDetail(v);
    } catch (e) {
      toast(e instanceof ApiError ? e.message : String(e), 'error');
    }
  };

  const renderDetail = async (preloaded?: View) => {
    if (!selected) {
      clear(detail);
      detail.append(h('p', { class: 'muted center' }, t('incidentList')));
      return;
    }
    const token = ++renderSeq;
    let v: View;
    try {
      v = preloaded ?? (await api<View>(`/api/v1/incidents/${encodeURIComponent(selected)}`));
      if (token !== renderSeq) return;
    } catch (e) {
      clear(detail);
      detail.append(h('p', { class: 'warn' }, String((e as Error).message)));
      return;
    }
    const i = v.incident;
    const base = `/api/v1/incidents/${encodeURIComponent(i.id)}`;
    const runs = can('incidents');
    const note = h('input', { id: 'step-note', placeholder: t('note'), class: 'note' });
    clear(detail);
    const stepTimes: Record<string, string> = {};
    for (const s of i.steps) if (!stepTimes[s.to]) stepTimes[s.to] = s.at;
    detail.append(
      h('div', { class: 'detail-head' },
        h('div', null, h('h2', { id: 'incident-title' }, i.title), h('div', { class: 'muted' }, `${i.id} · ${kindName(i.kind)} · ${v.severityZh} · ${t('source')}: ${getLang() === 'en' ? i.source : sourceZh[i.source] ?? i.source}${i.sourceRef ? ` (${i.sourceRef})` : ''}`)),
        h('span', { class: `state-badge big state-${i.state}`, id: 'incident-state', 'data-state': i.state }, stateName(i.state))),
      h('ol', { class: 'stepper' }, (i.state === 'dismissed' ? ['candidate', 'dismissed'] : flow).map((s) => {
        const reached = stepTimes[s] !== undefined || s === 'candidate';
        return h('li', { class: `${reached ? 'done' : ''} ${s === i.state ? 'current' : ''}` }, h('span', { class: 'dot' }), h('span', { class: 'step-name' }, stateName(s)), h('span', { class: 'step-time' }, s === 'candidate' ? fmtTime(i.detectedAt) : fmtTime(stepTimes[s])));
      })),
      h('div', { class: 'props-row' },
        h('span', null, `${t('location')}: ${[i.location.route, i.location.stake, i.location.direction, i.location.placeZh].filter(Boolean).join(' ') || `${i.location.longitude.toFixed(4)}, ${i.location.latitude.toFixed(4)}`}`),
        i.location.sectionId ? h('span', null, `${t('sectionId')}: ${i.location.sectionId}`) : null,
        i.lanesBlocked?.length ? h('span', null, `${t('lanesBlocked')}: ${i.lanesBlocked.join(', ')}`) : null,
        i.injuries ? h('span', { class: 'warn' }, t('injuries')) : null),
      i.description ? h('p', { id: 'incident-description' }, i.description) : '',
    );

    if (runs && v.next.length) {
      const bar = h('div', { class: 'action-bar', id: 'action-bar' }, note);
      const button = (action: string, label: string, cls = '') => h('button', { class: cls, 'data-action': action, onclick: () => act(`${base}/${action}`, { note: note.value || undefined }) }, label);
      if (v.next.includes('confirm')) bar.append(button('confirm', t('confirm'), 'primary'), button('dismiss', t('dismiss')));
      if (v.next.includes('clear')) bar.append(button('clear', t('clear'), 'primary'));
      if (v.next.includes('close')) bar.append(button('close', t('closeIncident'), 'primary'));
      detail.append(bar);
    }

    // timings
    const tm = v.timings;
    detail.append(h('div', { class: 'timings', id: 'timings' },
      [['toConfirm', tm.toConfirmS], ['toDispatch', tm.toDispatchS], ['toArrive', tm.toArriveS], ['toClear', tm.toClearS], ['toClose', tm.toCloseS]].map(([k, s]) =>
        h('div', { class: 'metric' }, h('div', { class: 'metric-value' }, fmtDuration(s as number | null)), h('div', { class: 'metric-label' }, t(k as string))))));

    // plan + dispatch
    if (runs && (v.next.includes('plan') || v.next.includes('dispatch'))) {
      const planBox = h('div', { class: 'card', id: 'plan-card' }, h('h3', null, `${t('plan')} / ${t('dispatch')}`));
      detail.append(planBox);
      try {
        const s: any = await api(`${base}/plan/suggestion`);
        if (token !== renderSeq) return;
        const needs: Record<string, number> = i.plan?.needs ?? s.plan.needs;
        const inputs = Object.keys(resourceZh).map((k) => h('label', { class: 'need' }, resName(k), h('input', { type: 'number', min: 0, max: 9, value: needs[k] ?? 0, 'data-need': k })));
        const level = h('select', { id: 'plan-level' }, [1, 2, 3, 4].map((l) => h('option', { value: l, selected: (i.plan?.level ?? s.plan.level) === l }, `${l}`)));
        planBox.append(h('div', { class: 'needs' }, h('label', { class: 'need' }, t('responseLevel'), level), ...inputs),
          h('button', { class: i.plan ? '' : 'primary', 'data-action': 'plan', onclick: () => {
            const n: Record<string, number> = {};
            inputs.forEach((l) => {
              const inp = l.querySelector('input')!;
              if (Number(inp.value) > 0) n[inp.dataset.need!] = Number(inp.value);
            });
            act(`${base}/plan`, { level: Number(level.value), needs: n, note: note.value || undefined });
          } }, i.plan ? `${t('plan')} ↻` : t('plan')));
        if (v.next.includes('dispatch')) {
          const dispatched = new Set(i.dispatches.filter((d: any) => !d.releasedAt).map((d: any) => d.resourceId));
          const all: any[] = await api('/api/v1/resources');
          if (token !== renderSeq) return;
          const near = all.filter((r) => r.state === 'available' && !dispatched.has(r.id))
            .map((r) => ({ r, d: distanceKm(r.longitude, r.latitude, i.location.longitude, i.location.latitude) }))
            .sort((a, b) => (needs[b.r.kind] ? 1 : 0) - (needs[a.r.kind] ? 1 : 0) || a.d - b.d).slice(0, 8);
          planBox.append(h('h4', null, t('nearest')), table([t('kind'), t('resources'), t('organisation'), t('distance'), ''],
            near.map(({ r, d }) => [resName(r.kind), r.name, r.organisation, `${d.toFixed(1)} km`,
              h('button', { class: 'small primary', 'data-action': 'dispatch', 'data-resource': r.id, onclick: () => act(`${base}/dispatch`, { resourceId: r.id, note: note.value || undefined }) }, t('dispatch'))]), { id: 'nearest-table' }));
        }
      } catch (e) {
        planBox.append(h('p', { class: 'warn' }, String((e as Error).message)));
      }
    }

    if (i.dispatches.length) {
      detail.append(h('div', { class: 'card' }, h('h3', null, t('dispatches')), table([t('resources'), t('kind'), t('dispatch'), t('arrive'), t('distance'), ''],
        i.dispatches.map((d: any) => [d.resourceName ?? d.resourceId, resName(d.kind), `${fmtTime(d.dispatchedAt)} · ${d.dispatchedBy.name}`, d.arrivedAt ? fmtTime(d.arrivedAt) : '—', `${d.distanceKm} km`,
          runs && !d.releasedAt ? h('span', null,
            !d.arrivedAt && ['dispatched', 'on_scene'].includes(i.state) ? h('button', { class: 'small primary', 'data-action': 'arrive', 'data-resource': d.resourceId, onclick: () => act(`${base}/arrive`, { resourceId: d.resourceId }) }, t('arrive')) : null,
            h('button', { class: 'small', onclick: () => act(`${base}/release-resource`, { resourceId: d.resourceId }) }, t('releaseResource'))) : d.releasedAt ? fmtTime(d.releasedAt) : '']), { id: 'dispatch-table' })));
    }

    // road controls
    if (i.state !== 'candidate' && i.state !== 'dismissed' && (i.controls.length || runs)) {
      const box = h('div', { class: 'card', id: 'controls-card' }, h('h3', null, t('controls')));
      if (runs && i.state !== 'closed') {
        const kind = h('select', { id: 'control-kind' }, h('option', { value: 'lane_closure' }, t('laneClosure')), h('option', { value: 'speed_limit' }, t('speedLimit')), h('option', { value: 'board_message' }, t('boardMessage')));
        const section = h('input', { id: 'control-section', placeholder: t('sectionId'), value: i.location.sectionId ?? '' });
        const lanes = h('input', { id: 'control-lanes', placeholder: `${t('lanes')} 1,2`, value: (i.lanesBlocked ?? []).join(',') });
        const limit = h('select', { id: 'control-limit' }, [40, 60, 80, 100].map((x) => h('option', { value: x }, `${x} ${t('kmh')}`)));
        const text = h('input', { id: 'control-text', placeholder: t('boardText') });
        box.append(h('div', { class: 'form-row' }, kind, section, lanes, limit, text,
          h('button', { class: 'primary', 'data-action': 'set-control', onclick: () => act(`${base}/controls`, {
            kind: kind.value, sectionId: section.value || undefined,
            lanes: lanes.value.split(/[,，\s]+/).filter(Boolean).map(Number), speedLimitKmh: Number(limit.value), text: text.value,
          }) }, t('setControl'))));
      }
      box.append(table([t('kind'), t('sectionId'), '', t('by'), t('status'), ''], i.controls.map((c: any) => [
        c.kind === 'lane_closure' ? t('laneClosure') : c.kind === 'speed_limit' ? t('speedLimit') : t('boardMessage'),
        c.sectionId,
        c.kind === 'lane_closure' ? `${t('lanes')} ${c.lanes.join(',')}` : c.kind === 'speed_limit' ? `${c.speedLimitKmh} ${t('kmh')}` : c.text,
        `${c.issuedBy.name} · ${fmtTime(c.issuedAt)}`,
        h('span', { class: c.state === 'active' ? 'pill on' : 'pill', title: c.delivery ?? '' }, `${c.state === 'active' ? '●' : '○'} ${controlStateName(c.state)}${c.delivered ? ` · ${t('delivered')}` : ` · ${t('notDelivered')}`}`),
        runs && c.state === 'active' ? h('button', { class: 'small', 'data-action': 'lift', onclick: () => act(`${base}/controls/${encodeURIComponent(c.id)}/lift`) }, t('lift')) : '',
      ])));
      detail.append(box);
    }

    // information releases
    if (i.state !== 'candidate' && i.state !== 'dismissed') {
      const box = h('div', { class: 'card', id: 'releases-card' }, h('h3', null, t('releases')));
      if (runs && i.state !== 'closed') box.append(h('button', { 'data-action': 'draft-release', onclick: () => act(`${base}/releases`) }, t('draftRelease')));
      for (const r of i.releases) {
        const rb = `${base}/releases/${encodeURIComponent(r.id)}`;
        box.append(h('div', { class: `release state-${r.state}` },
          h('div', { class: 'release-head' }, h('strong', null, r.noticeTitle), h('span', { class: 'pill' }, r.state)),
          h('pre', { class: 'board' }, r.boardText),
          h('p', null, getLang() === 'en' && r.noticeTextEn ? r.noticeTextEn : r.noticeText),
          h('div', { class: 'muted' }, `${r.draftedBy.name} ${fmtTime(r.draftedAt)}${r.approvedBy ? ` · ${t('approve')}: ${r.approvedBy.name}` : ''}${r.publishedAt ? ` · ${t('publish')}: ${fmtTime(r.publishedAt)}` : ''}`),
          h('div', { class: 'action-bar' },
            r.state === 'draft' && can('approve_releases') ? h('button', { class: 'small primary', onclick: () => act(`${rb}/approve`) }, t('approve')) : null,
            r.state === 'draft' && can('approve_releases') ? h('button', { class: 'small', onclick: () => act(`${rb}/reject`) }, t('reject')) : null,
            r.state === 'approved' && runs ? h('button', { class: 'small primary', onclick: () => act(`${rb}/publish`) }, t('publish')) : null,
            r.state === 'published' && runs ? h('button', { class: 'small', onclick: () => act(`${rb}/withdraw`) }, t('withdraw')) : null)));
      }
      detail.append(box);
    }

    detail.append(h('div', { class: 'card' }, h('h3', null, t('steps')), table([t('time'), t('action'), t('state'), t('by'), t('note')],
      i.steps.map((s: any) => [fmtTime(s.at), actionName(s.action), `${stateName(s.from)} → ${stateName(s.to)}`, `${s.by.name} (${s.by.organisation})`, s.note ?? '']), { id: 'steps-table' })));
    detail.append(h('p', { class: 'muted' }, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); navigate('map'); } }, `← ${t('navMap')}`)));
  };

  const showNew = (p: Record<string, string>) => {
    selected = null;
    renderSeq++;
    clear(detail);
    const field = (label: string, el: HTMLElement) => h('label', null, label, el);
    const kind = h('select', { id: 'new-kind' }, kinds.map((k) => h('option', { value: k }, kindName(k))));
    const severity = h('select', { id: 'new-severity' }, [4, 3, 2, 1].map((s) => h('option', { value: s }, ['', '特别重大 I', '重大 II', '较大 III', '一般 IV'][s])));
    const lon = h('input', { id: 'new-lon', value: p.lon ?? '', required: true });
    const lat = h('input', { id: 'new-lat', value: p.lat ?? '', required: true });
    const route = h('input', { id: 'new-route', value: p.route ?? '' });
    const stake = h('input', { id: 'new-stake', placeholder: 'K123+400' });
    const direction = h('input', { id: 'new-direction', placeholder: '上行 / 下行' });
    const section = h('input', { id: 'new-section', value: p.section ?? '' });
    const lanes = h('input', { id: 'new-lanes', placeholder: '1,2' });
    const injuries = h('input', { id: 'new-injuries', type: 'checkbox' });
    const title = h('input', { id: 'new-title', value: p.name ? `${p.name} ` : '' });
    const description = h('textarea', { id: 'new-description', rows: 3 });
    const form = h('form', { class: 'card form', id: 'new-incident-form' },
      h('h3', null, t('newIncident')),
      h('div', { class: 'form-grid' },
        field(t('kind'), kind), field(t('severity'), severity), field(t('title'), title), field(t('longitude'), lon), field(t('latitude'), lat),
        field(t('route'), route), field(t('stake'), stake), field(t('direction'), direction), field(t('sectionId'), section), field(t('lanesBlocked'), lanes),
        h('label', { class: 'check' }, injuries, t('injuries'))),
      field(t('description'), description),
      h('div', { class: 'action-bar' }, h('button', { class: 'primary', type: 'submit', id: 'new-submit' }, t('submit'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const v = await post<View>('/api/v1/incidents', {
          kind: kind.value, severity: Number(severity.value), source: 'report', title: title.value || undefined,
          longitude: Number(lon.value), latitude: Number(lat.value), route: route.value || undefined, stake: stake.value || undefined,
          direction: direction.value || undefined, sectionId: section.value || undefined, lanesBlocked: lanes.value.split(/[,，\s]+/).filter(Boolean).map(Number),
          injuries: injuries.checked, description: description.value || undefined,
        });
        selected = v.incident.id;
        await refreshList();
        renderDetail(v);
      } catch (err) {
        toast(err instanceof ApiError ? err.message : String(err), 'error');
      }
    });
    detail.append(form);
  };

  const off = live.on('incidents', (v) => {
    if (!list.isConnected) return;
    refreshList();
    if (v.incident.id === selected && !detail.contains(document.activeElement)) renderDetail(v);
  });

  refreshList().then(() => {
    if (params.new) showNew(params);
    else if (selected) renderDetail();
    else if (incidents.length && !detail.hasChildNodes()) select(incidents[0].incident.id);
  });
  return () => off();
}

function distanceKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}
