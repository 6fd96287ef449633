import L from 'leaflet';
import { api, post, ApiError } from '../api';
import { h, clear, toast } from '../dom';
import { t, fmtTime, pick, getLang } from '../i18n';
import { can, live, session } from '../state';
import { createMap } from '../mapBase';
import { navigate } from '../router';
import { timeChart } from '../charts';

const statusZh: Record<string, string> = { raised: '待处理', acknowledged: '已确认', handled: '已处置', closed: '已关闭' };
const kindZh: Record<string, string> = {
  overspeed: '超速', 'fatigue-continuous': '连续疲劳驾驶', 'fatigue-daily': '当日累计疲劳', 'night-driving': '夜间违规行驶', offline: '离线',
  'geofence-exit': '驶出区域', 'geofence-entry': '驶入禁行区', 'route-deviation': '偏离线路', 'device-emergency': '紧急报警', 'device-collision': '碰撞报警',
  'device-rollover': '侧翻报警', 'device-other': '终端报警',
};
const severityZh: Record<string, string> = { info: '提示', warning: '一般', serious: '严重', critical: '特别严重' };
const categoryZh: Record<string, string> = { coach: '班线客车', charter: '旅游包车', dangerous_goods: '危险货物运输车', heavy_truck: '重型货车', unknown: '其他' };

/** The supervision desk: the fleet alarm queue with acknowledge / handle / close, and a vehicle's track replay. */
export function supervisionView(root: HTMLElement, params: Record<string, string>): () => void {
  const openOnly = h('input', { type: 'checkbox', checked: true, id: 'alarms-open-only' });
  const body = h('tbody');
  const mapEl = h('div', { class: 'map replay-map', id: 'replay-map' });
  const replayInfo = h('div', { class: 'replay-info', id: 'replay-info' }, h('p', { class: 'muted' }, `${t('track')}: ${t('alarmQueue')} →`));
  const chartEl = h('div', { class: 'chart small' });
  root.append(h('div', { class: 'supervision-layout' },
    h('section', { class: 'alarm-col' },
      h('div', { class: 'toolbar' }, h('h2', null, t('alarmQueue')), h('label', { class: 'check' }, openOnly, t('openOnly'))),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid alarms', id: 'alarm-table' },
        h('thead', null, h('tr', null, [t('startedAt'), t('plate'), t('category'), t('kind'), t('severity'), t('status'), t('description'), t('actions')].map((x) => h('th', null, x)))), body))),
    h('section', { class: 'replay-col' }, h('h2', null, t('track')), mapEl, replayInfo, chartEl)));

  const map = createMap(mapEl);
  const backdrop = L.canvas({ padding: 0.2 });
  const layer = L.layerGroup().addTo(map);
  // the road network as a quiet backdrop for the track
  api<any>(session.config?.networkUrl ?? '/api/v1/highway/network', { quiet401: true }).then((fc) => {
    if (disposed) return;
    for (const f of fc.features ?? []) {
      if (f.geometry?.type === 'LineString' && f.properties?.kind === 'route') {
        L.polyline(f.geometry.coordinates.map((c: number[]) => [c[1], c[0]]), { color: '#34445f', weight: 5, renderer: backdrop, interactive: false }).addTo(map);
      }
    }
  }).catch(() => undefined);
  let timer = 0;
  let disposeChart: (() => void) | null = null;
  let selected: string | null = params.alarm ?? null;
  let disposed = false;

  const refresh = async () => {
    let r: any;
    try {
      r = await api(`/api/v1/fleet/alarms?limit=300${openOnly.checked ? '&open=true' : ''}`);
    } catch (e) {
      clear(body);
      body.append(h('tr', null, h('td', { colspan: 8, class: 'warn' }, (e as Error).message)));
      return;
    }
    clear(body);
    for (const a of r.alarms) {
      const handleText = h('input', { class: 'inline', placeholder: t('handleText'), 'data-handle-text': a.id });
      const action = (name: string, label: string, needsText = false) => h('button', {
        class: 'small', 'data-alarm-action': name, onclick: async (e: Event) => {
          e.stopPropagation();
          if (needsText && !handleText.value.trim()) {
            handleText.focus();
            toast(t('handleText'), 'error');
            return;
          }
          try {
            await post(`/api/v1/fleet/alarms/${encodeURIComponent(a.id)}/${name}`, { text: handleText.value || undefined });
            toast(t('done'));
            refresh();
          } catch (err) {
            toast(err instanceof ApiError ? err.message : String(err), 'error');
          }
        },
      }, label);
      const actions = can('alarms') ? h('div', { class: 'row-actions' },
        a.status === 'raised' ? action('acknowledge', t('acknowledge')) : null,
        a.status === 'raised' || a.status === 'acknowledged' ? [handleText, action('handle', t('handle'), true)] : null,
        a.status === 'handled' || (a.status === 'acknowledged' && a.endedAt) ? action('close', t('closeAlarm')) : null,
        can('incidents') && a.status !== 'closed' ? h('button', { class: 'small', onclick: async (e: Event) => {
          e.stopPropagation();
          try {
            const v: any = await post('/api/v1/incidents', { alarmId: a.id, kind: a.category === 'dangerous_goods' ? 'dangerous_goods' : 'other', title: `${a.plate ?? a.terminalId} ${a.detailZh ?? a.kind}` });
            navigate('incidents', { id: v.incident.id });
          } catch (err) {
            toast(err instanceof ApiError ? err.message : String(err), 'error');
          }
        } }, t('raiseIncident')) : null) : '';
      const tr = h('tr', { class: `alarm-row sev-${a.severity} ${a.id === selected ? 'selected' : ''}`, 'data-alarm': a.id, 'data-status': a.status, onclick: () => { selected = a.id; body.querySelectorAll('tr').forEach((x) => x.classList.toggle('selected', x === tr)); replay(a); } },
        h('td', null, fmtTime(a.startedAt)), h('td', null, a.plate ?? a.terminalId), h('td', null, getLang() === 'en' ? a.category : categoryZh[a.category] ?? a.category),
        h('td', null, getLang() === 'en' ? a.kind : kindZh[a.kind] ?? a.kind), h('td', null, h('span', { class: `pill sev-${a.severity}` }, getLang() === 'en' ? a.severity : severityZh[a.severity] ?? a.severity)),
        h('td', null, h('span', { class: `pill status-${a.status}` }, getLang() === 'en' ? a.status : statusZh[a.status] ?? a.status)),
        h('td', { class: 'detail-cell' }, pick(a.detailZh, a.detailEn)), h('td', null, actions));
      body.append(tr);
      if (a.id === selected && !layer.getLayers().length) replay(a);
    }
    if (r.alarms.length === 0) body.append(h('tr', null, h('td', { colspan: 8, class: 'empty' }, t('noData'))));
  };

  const replay = async (a: any) => {
    window.clearInterval(timer);
    layer.clearLayers();
    disposeChart?.();
    disposeChart = null;
    clear(replayInfo);
    const started = Date.parse(a.startedAt);
    const from = new Date(started - 30 * 60_000).toISOString();
    const to = new Date(Math.max(Date.parse(a.endedAt ?? a.startedAt) + 30 * 60_000, started + 60 * 60_000)).toISOString();
    let track: any;
    try {
      track = await api(`/api/v1/fleet/vehicles/${encodeURIComponent(a.terminalId)}/track?from=${from}&to=${to}`);
    } catch (e) {
      replayInfo.append(h('p', { class: 'warn' }, (e as Error).message));
      return;
    }
    const coords: number[][] = track.geometry.coordinates;
    const times: string[] = track.properties.times;
    const speeds: number[] = track.properties.speedsKmh;
    L.circleMarker([a.latitude, a.longitude], { radius: 9, color: '#ff4d4f', weight: 2, fillOpacity: 0.2 }).bindTooltip(pick(a.detailZh, a.detailEn)).addTo(layer);
    if (coords.length === 0) {
      map.setView([a.latitude, a.longitude], 12);
      replayInfo.append(h('p', { class: 'muted' }, t('noHistory')));
      return;
    }
    const latlngs = coords.map((c) => [c[1], c[0]] as [number, number]);
    const line = L.polyline(latlngs, { color: '#4fc3f7', weight: 4 }).addTo(layer);
    const marker = L.circleMarker(latlngs[0], { radius: 7, color: '#fff', weight: 2, fillColor: '#f472b6', fillOpacity: 1 }).addTo(layer);
    map.fitBounds(line.getBounds().pad(0.2));
    const slider = h('input', { type: 'range', min: 0, max: latlngs.length - 1, value: 0, id: 'replay-slider' });
    const label = h('span', { class: 'replay-time', id: 'replay-time' });
    const show = (i: number) => {
      marker.setLatLng(latlngs[i]);
      label.textContent = `${fmtTime(times[i])} · ${Math.round(speeds[i])} ${t('kmh')}`;
    };
    const play = h('button', { class: 'small primary', id: 'replay-play', onclick: () => {
      if (timer) {
        window.clearInterval(timer);
        timer = 0;
        play.textContent = t('play');
        return;
      }
      play.textContent = t('pause');
      timer = window.setInterval(() => {
        const next = Number(slider.value) + 1;
        if (next >= latlngs.length) {
          window.clearInterval(timer);
          timer = 0;
          play.textContent = t('play');
          return;
        }
        slider.value = String(next);
        show(next);
      }, 200);
    } }, t('play'));
    slider.addEventListener('input', () => show(Number(slider.value)));
    show(0);
    replayInfo.append(h('div', { class: 'replay-controls' }, play, slider, label), h('p', { class: 'muted' }, `${a.plate ?? a.terminalId} · ${track.properties.points} pts · ${fmtTime(from)} – ${fmtTime(to)}`));
    disposeChart = timeChart(chartEl, [{ name: t('speed'), unit: t('kmh'), points: times.map((x, i) => [Date.parse(x), speeds[i]]), color: '#4fc3f7' }]);
  };

  openOnly.addEventListener('change', refresh);
  const off = live.on('alarms', () => refresh());
  refresh();
  requestAnimationFrame(() => !disposed && map.invalidateSize());
  return () => {
    disposed = true;
    off();
    window.clearInterval(timer);
    disposeChart?.();
    map.remove();
  };
}
