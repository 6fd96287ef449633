import L from 'leaflet';
import { api } from '../api';
import { h, clear } from '../dom';
import { t, fmtTime, pick, getLang } from '../i18n';
import { live, perf, session, can } from '../state';
import { createMap, levelColours, noDataColour, featureId, featureName, type NetworkFeature, type SectionState } from '../mapBase';
import { VehicleLayer, categoryColours, type Vehicle } from '../vehicleLayer';
import { timeChart, type Series } from '../charts';
import { navigate } from '../router';
import { CarriagewayLine, carriagewayWeightPx, roadCasingWeightPx } from '../carriageway';
import { serverNow, serverNowMs } from '../platformClock';

interface Alarm {
  id: string; kind: string; severity: string; status: string; terminalId: string; plate: string | null; category: string;
  startedAt: string; latitude: number; longitude: number; detailZh: string; detailEn: string;
}
interface IncidentView { incident: any; stateZh: string; kindZh: string; severityZh: string; timings: any; next: string[] }

const pointStyles: Record<string, { colour: string; radius: number }> = {
  gantry: { colour: '#38bdf8', radius: 4 },
  survey_station: { colour: '#34d399', radius: 4.5 },
  toll_station: { colour: '#e2e8f0', radius: 5 },
  interchange: { colour: '#94a3b8', radius: 4 },
  service_area: { colour: '#c084fc', radius: 5 },
  tunnel: { colour: '#fbbf24', radius: 4 },
  bridge: { colour: '#a3a3a3', radius: 4 },
  weather_station: { colour: '#60a5fa', radius: 4 },
};

/** The one map (一张图): network coloured by congestion, vehicles, alarms, incidents, warnings, resources. */
export function mapView(root: HTMLElement): () => void {
  const mapEl = h('div', { class: 'map', id: 'main-map' });
  const side = h('aside', { class: 'side-panel' });
  const drawer = h('aside', { class: 'drawer', id: 'details' });
  root.append(h('div', { class: 'map-view' }, mapEl, side, drawer));

  const map = createMap(mapEl);
  // Three canvases in stacked panes: routes under sections under point facilities.
  map.createPane('routes').style.zIndex = '390';
  map.createPane('facilities').style.zIndex = '420';
  const routeRenderer = L.canvas({ padding: 0.2, pane: 'routes' });
  const renderer = L.canvas({ padding: 0.2, tolerance: 4 });
  // SVG for the (few hundred) facility points: a canvas on top would swallow clicks meant for the sections below.
  const pointRenderer = L.svg({ padding: 0.2, pane: 'facilities' });
  const routes = L.layerGroup().addTo(map);
  const sectionsLayer = L.layerGroup().addTo(map);
  const gantries = L.layerGroup().addTo(map);
  const stations = L.layerGroup().addTo(map);
  const facilities = L.layerGroup().addTo(map);
  const alarmsLayer = L.layerGroup().addTo(map);
  const incidentsLayer = L.layerGroup().addTo(map);
  const warningsLayer = L.layerGroup().addTo(map);
  const resourcesLayer = L.layerGroup();
  const trackLayer = L.layerGroup().addTo(map);
  const vehicles = new VehicleLayer().addTo(map);

  const sections = new Map<string, { feature: NetworkFeature; line: L.Polyline; history: { t: number; s: SectionState }[] }>();
  const roadCasings: L.Polyline[] = [];
  const carriageways = new Set<CarriagewayLine>();
  const points = new Map<string, L.LatLng>();
  const alarms = new Map<string, Alarm>();
  const incidents = new Map<string, IncidentView>();
  const pendingSections: any[] = [];
  let networkLoaded = false;
  let disposeChart: (() => void) | null = null;
  let disposed = false;
  const unsubs: (() => void)[] = [];

  // ---- side panel: situation, layers, legend ----
  const kpi = (id: string, label: string) => h('div', { class: 'kpi' }, h('div', { class: 'kpi-value', id }, '—'), h('div', { class: 'kpi-label' }, label));
  const layerToggle = (label: string, layer: L.Layer, on = true, swatch?: string) =>
    h('label', { class: 'toggle' },
      h('input', { type: 'checkbox', checked: on, onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? map.addLayer(layer) : map.removeLayer(layer)) }),
      swatch ? h('span', { class: 'swatch dot', style: `background:${swatch}` }) : null, label);
  const catToggles = categoryColours.map((c, i) => h('label', { class: 'toggle sub' },
    h('input', { type: 'checkbox', checked: true, 'data-cat': i, onchange: () => vehicles.setHiddenCategories(catToggles.filter((x) => !(x.querySelector('input') as HTMLInputElement).checked).map((_, j) => j)) }),
    h('span', { class: 'swatch dot', style: `background:${c}` }), t(`cat${i}`)));
  side.append(
    h('h2', null, t('situation')),
    h('div', { class: 'kpis' }, kpi('kpi-congested', t('congested')), kpi('kpi-vehicles', t('online')), kpi('kpi-alarms', t('openAlarms')), kpi('kpi-incidents', t('openIncidents'))),
    h('h3', null, t('level')),
    h('div', { class: 'legend', id: 'legend' }, [1, 2, 3, 4, 5].map((l) => h('div', { class: 'legend-row' }, h('span', { class: 'swatch line', style: `background:${levelColours[l]}` }), t(`level${l}`), h('span', { class: 'legend-count', id: `level-count-${l}` }, '0'))),
      h('div', { class: 'legend-row' }, h('span', { class: 'swatch line', style: `background:${noDataColour}` }), t('levelNone'), h('span', { class: 'legend-count', id: 'level-count-0' }, '0'))),
    h('h3', null, t('layers')),
    h('div', { class: 'toggles' },
      layerToggle(t('sections'), sectionsLayer),
      layerToggle(t('gantries'), gantries, true, pointStyles.gantry.colour),
      layerToggle(t('stations'), stations, true, pointStyles.survey_station.colour),
      layerToggle(t('facilities'), facilities, true, pointStyles.service_area.colour),
      layerToggle(t('vehicles'), vehicles),
      ...catToggles,
      layerToggle(t('alarms'), alarmsLayer, true, '#ff9f43'),
      layerToggle(t('incidents'), incidentsLayer, true, '#ff3b3b'),
      layerToggle(t('warnings'), warningsLayer, true, '#7dd3fc'),
      layerToggle(t('resources'), resourcesLayer, false, '#22c55e')),
    h('h3', null, t('openIncidents')),
    h('div', { class: 'incident-mini', id: 'incident-mini' }),
  );

  // ---- network ----
  const sectionStyle = (s: SectionState | null | undefined): L.PathOptions => ({
    color: s?.level ? levelColours[s.level] ?? noDataColour : noDataColour,
    weight: carriagewayWeightPx(map.getZoom()),
    opacity: 1,
    // Round caps also close the small notch where two shifted sections meet at a bend.
    lineCap: 'round',
    renderer,
  });

  const updateCounts = () => {
    const counts = [0, 0, 0, 0, 0, 0];
    for (const s of sections.values()) counts[s.feature.properties.state?.level ?? 0]++;
    counts.forEach((c, i) => {
      const el = document.getElementById(`level-count-${i}`);
      if (el) el.textContent = String(c);
    });
    setText('kpi-congested', String(counts[3] + counts[4] + counts[5]));
  };

  const applySectionStates = (payload: any) => {
    const started = performance.now();
    const list: any[] = Array.isArray(payload) ? payload : payload.sections ?? payload.states ?? [];
    const now = serverNowMs();
    for (const u of list) {
      const id = String(u.id ?? u.section_id ?? u.sectionId ?? '');
      const entry = sections.get(id);
      if (!entry) continue;
      const state: SectionState = u.state ?? u;
      entry.feature.properties.state = state;
      entry.history.push({ t: state.interval_start ? Date.parse(state.interval_start) : now, s: state });
      if (entry.history.length > 288) entry.history.shift();
      entry.line.setStyle(sectionStyle(state));
    }
    updateCounts();
    perf.sectionUpdates++;
    perf.lastSectionApplyMs = performance.now() - (payload.__receivedAt ?? started);
    perf.sectionApplyMs.push(perf.lastSectionApplyMs);
    document.body.dataset.sectionUpdates = String(perf.sectionUpdates);
  };

  const loadNetwork = async () => {
    const url = session.config?.networkUrl ?? '/api/v1/highway/network';
    let fc: { features: NetworkFeature[] };
    try {
      fc = await api(url);
      if (disposed) return;
    } catch (e) {
      side.append(h('p', { class: 'warn' }, `${url}: ${(e as Error).message}`));
      return;
    }
    const bounds = L.latLngBounds([]);
    for (const f of fc.features ?? []) {
      const kind = f.properties?.kind ?? '';
      const g = f.geometry;
      if (!g) continue;
      if (g.type === 'LineString' || g.type === 'MultiLineString') {
        const latlngs = g.type === 'LineString' ? g.coordinates.map((c: number[]) => [c[1], c[0]]) : g.coordinates.map((l: number[][]) => l.map((c) => [c[1], c[0]]));
        if (kind === 'section') {
          // Drawn to the right of its direction of travel, so 上行 and 下行 are told apart.
          const line = new CarriagewayLine(latlngs, sectionStyle(f.properties.state), carriageways);
          line.on('click', () => showSection(featureId(f)));
          line.bindTooltip(() => tooltipFor(f), { sticky: true, className: 'tip' });
          line.addTo(sectionsLayer);
          sections.set(featureId(f), { feature: f, line, history: f.properties.state ? [{ t: Date.parse(f.properties.state.interval_start ?? '') || serverNowMs(), s: f.properties.state }] : [] });
          bounds.extend(line.getBounds());
        } else {
          const line = L.polyline(latlngs, { color: '#2b3a52', weight: kind === 'route' ? roadCasingWeightPx(map.getZoom()) : 5, opacity: 0.9, renderer: kind === 'route' ? routeRenderer : renderer, interactive: kind !== 'route' });
          if (kind !== 'route') line.on('click', () => showFacility(f));
          else roadCasings.push(line);
          line.addTo(kind === 'route' ? routes : facilities);
          bounds.extend(line.getBounds());
        }
      } else if (g.type === 'Point') {
        const style = pointStyles[kind] ?? { colour: '#cbd5e1', radius: 4 };
        const m = L.circleMarker([g.coordinates[1], g.coordinates[0]], { renderer: pointRenderer, radius: style.radius, color: '#0b1220', weight: 1, fillColor: style.colour, fillOpacity: 1 });
        m.bindTooltip(() => `${featureName(f)}`, { className: 'tip' });
        m.on('click', () => showFacility(f));
        m.addTo(kind === 'gantry' ? gantries : kind === 'survey_station' ? stations : facilities);
        points.set(featureId(f), m.getLatLng());
        bounds.extend(m.getLatLng());
      }
    }
    if (bounds.isValid() && !session.config?.mapCentre) map.fitBounds(bounds, { padding: [20, 20] });
    networkLoaded = true;
    document.body.dataset.sections = String(sections.size);
    pendingSections.splice(0).forEach(applySectionStates);
    updateCounts();
  };

  const tooltipFor = (f: NetworkFeature) => {
    const s = f.properties.state;
    const level = s?.level ? (getLang() === 'en' ? s.level_en ?? t(`level${s.level}`) : s.level_zh ?? t(`level${s.level}`)) : t('levelNone');
    return `${featureName(f)}<br>${level}${s?.speed_kmh !== undefined ? ` · ${Math.round(s.speed_kmh)} ${t('kmh')}` : ''}`;
  };

  // ---- details drawer ----
  const openDrawer = (title: string, ...content: (Node | null)[]) => {
    disposeChart?.();
    disposeChart = null;
    clear(drawer);
    drawer.append(h('div', { class: 'drawer-head' }, h('h2', null, title), h('button', { class: 'icon', title: t('close'), onclick: closeDrawer }, '×')), ...content.filter((x): x is Node => x !== null));
    drawer.classList.add('open');
  };
  const closeDrawer = () => {
    disposeChart?.();
    disposeChart = null;
    drawer.classList.remove('open');
    trackLayer.clearLayers();
  };
  const dl = (rows: [string, string | number | null | undefined][]) => h('dl', { class: 'props' }, rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : String(v))]));
  const chartBox = () => h('div', { class: 'chart' });

  const showSection = async (id: string) => {
    const entry = sections.get(id);
    if (!entry) return;
    const p = entry.feature.properties;
    const s = p.state;
    const chartEl = chartBox();
    openDrawer(featureName(entry.feature),
      h('div', { class: 'level-badge', style: `background:${s?.level ? levelColours[s.level] : noDataColour}` }, s?.level ? pick(s.level_zh ?? t(`level${s.level}`), s.level_en ?? t(`level${s.level}`)) : t('levelNone')),
      dl([
        [t('sectionId'), id],
        [t('route'), p.route ?? p.route_code],
        [t('speed'), s?.speed_kmh !== undefined ? `${s.speed_kmh.toFixed(1)} ${t('kmh')}` : null],
        [t('flow'), s?.flow_vph !== undefined ? `${Math.round(s.flow_vph)} ${t('vph')}` : null],
        [t('travelTime'), s?.travel_time_s !== undefined ? `${Math.round(s.travel_time_s)} ${t('s')}` : null],
        [t('updated'), fmtTime(s?.interval_start)],
      ]),
      h('h3', null, t('recentHistory')),
      chartEl,
      can('incidents') ? h('button', { class: 'primary', onclick: () => {
        const mid = entry.line.getCenter();
        navigate('incidents', { new: '1', lon: mid.lng.toFixed(5), lat: mid.lat.toFixed(5), section: id, route: p.route ?? '', name: featureName(entry.feature) });
      } }, t('reportHere')) : null,
    );
    let points = entry.history.map((x) => ({ t: x.t, s: x.s }));
    try {
      const series: any = await api(`/api/v1/highway/sections/${encodeURIComponent(id)}/series`, { quiet401: true });
      const list: any[] = Array.isArray(series) ? series : series.points ?? series.series ?? series.intervals ?? [];
      const fetched = list.map((x) => ({ t: Date.parse(x.interval_start ?? x.intervalStart ?? x.time ?? x.t), s: (x.state ?? x) as SectionState })).filter((x) => !Number.isNaN(x.t));
      if (fetched.length) points = [...fetched, ...points.filter((x) => x.t > fetched[fetched.length - 1].t)];
    } catch {
      // no series endpoint (yet): the live updates received in this session are the history
    }
    if (!drawer.contains(chartEl)) return;
    if (points.length === 0) {
      chartEl.replaceWith(h('p', { class: 'muted' }, t('noHistory')));
      return;
    }
    const chart: Series[] = [
      { name: t('speed'), unit: t('kmh'), points: points.map((x) => [x.t, x.s.speed_kmh ?? null]), color: '#4fc3f7' },
      { name: t('flow'), unit: t('vph'), points: points.map((x) => [x.t, x.s.flow_vph ?? null]), yAxis: 1, kind: 'bar', color: '#64748b' },
    ];
    disposeChart = timeChart(chartEl, chart);
  };

  const showFacility = (f: NetworkFeature) => {
    const rows: [string, string][] = Object.entries(f.properties)
      .filter(([k, v]) => k !== 'state' && v !== null && typeof v !== 'object')
      .slice(0, 14)
      .map(([k, v]) => [k, String(v)]);
    openDrawer(featureName(f), dl(rows));
  };

  const showVehicle = async (v: Vehicle) => {
    const chartEl = chartBox();
    const info = h('div');
    openDrawer(`${t('vehicles')} ${v.id}`,
      h('div', { class: 'level-badge', style: `background:${categoryColours[v.cat]}` }, t(`cat${v.cat}`)),
      dl([[t('terminal'), v.id], [t('speed'), `${v.speed} ${t('kmh')}`], [t('heading'), `${v.heading}°`], [t('fixTime'), fmtTime(new Date(v.time * 1000).toISOString())]]),
      info, h('h3', null, t('track')), chartEl);
    try {
      const d: any = await api(`/api/v1/fleet/vehicles/${encodeURIComponent(v.id)}`, { quiet401: true });
      info.append(dl([[t('plate'), d.plate], [t('openAlarms'), d.openAlarms]]));
    } catch {
      // not provisioned in the registry: live position only
    }
    try {
      // The last two hours of platform time (simulated in the demo), not of the browser's clock.
      const to = serverNow();
      const from = new Date(to.getTime() - 2 * 3600_000);
      const track: any = await api(`/api/v1/fleet/vehicles/${encodeURIComponent(v.id)}/track?from=${from.toISOString()}&to=${to.toISOString()}&simplify=10`, { quiet401: true });
      const coords: number[][] = track.geometry.coordinates;
      if (coords.length > 1) {
        trackLayer.clearLayers();
        L.polyline(coords.map((c) => [c[1], c[0]] as [number, number]), { color: '#f472b6', weight: 3, dashArray: '6 4', renderer }).addTo(trackLayer);
      }
      const times: string[] = track.properties.times;
      if (times.length && drawer.contains(chartEl)) {
        disposeChart = timeChart(chartEl, [{ name: t('speed'), unit: t('kmh'), points: times.map((x, i) => [Date.parse(x), track.properties.speedsKmh[i]]), color: '#4fc3f7' }]);
      } else chartEl.replaceWith(h('p', { class: 'muted' }, t('noHistory')));
    } catch {
      chartEl.replaceWith(h('p', { class: 'muted' }, t('noHistory')));
    }
  };

  const showAlarm = (a: Alarm) => {
    openDrawer(`${t('alarms')} · ${a.kind}`,
      h('div', { class: `level-badge sev-${a.severity}` }, a.severity),
      dl([[t('status'), a.status], [t('terminal'), a.terminalId], [t('plate'), a.plate], [t('category'), a.category], [t('startedAt'), fmtTime(a.startedAt)], [t('description'), pick(a.detailZh, a.detailEn)]]),
      h('button', { onclick: () => navigate('supervision', { alarm: a.id }) }, t('alarmQueue')));
  };

  const showIncident = (v: IncidentView) => {
    const i = v.incident;
    openDrawer(i.title,
      h('div', { class: `state-badge state-${i.state}` }, getLang() === 'en' ? i.state : v.stateZh),
      dl([[t('kind'), getLang() === 'en' ? i.kind : v.kindZh], [t('severity'), v.severityZh], [t('detectedAt'), fmtTime(i.detectedAt)], [t('location'), [i.location.route, i.location.stake, i.location.direction].filter(Boolean).join(' ')]]),
      h('button', { class: 'primary', onclick: () => navigate('incidents', { id: i.id }) }, t('details')));
  };

  map.on('click', (e: L.LeafletMouseEvent) => {
    if (!map.hasLayer(vehicles)) return;
    const v = vehicles.find(e.containerPoint);
    if (v) showVehicle(v);
  });
  // Leaflet re-projects every path on zoomend (the carriageway offsets follow); strokes and casings widen here.
  map.on('zoomend', () => {
    const weight = carriagewayWeightPx(map.getZoom());
    const casing = roadCasingWeightPx(map.getZoom());
    for (const s of sections.values()) s.line.setStyle({ weight });
    for (const r of roadCasings) r.setStyle({ weight: casing });
  });

  // ---- alarms, incidents, warnings, resources ----
  const alarmMarker = (a: Alarm) => {
    const m = L.circleMarker([a.latitude, a.longitude], { renderer, radius: 7, color: '#1a1206', weight: 1.5, fillColor: a.severity === 'high' || a.severity === 'critical' ? '#ff4d4f' : '#ff9f43', fillOpacity: 0.95 });
    m.bindTooltip(`${a.plate ?? a.terminalId} · ${pick(a.detailZh, a.detailEn)}`, { className: 'tip' });
    m.on('click', () => showAlarm(a));
    return m;
  };
  const redrawAlarms = () => {
    alarmsLayer.clearLayers();
    for (const a of alarms.values()) if (a.status !== 'closed' && a.latitude) alarmMarker(a).addTo(alarmsLayer);
    setText('kpi-alarms', String([...alarms.values()].filter((a) => a.status !== 'closed').length));
  };
  const incidentIcon = (state: string) => L.divIcon({ className: `incident-icon state-${state}`, html: '<span>!</span>', iconSize: [26, 26] });
  const redrawIncidents = () => {
    incidentsLayer.clearLayers();
    const mini = document.getElementById('incident-mini');
    if (mini) clear(mini);
    const open = [...incidents.values()].filter((v) => !['closed', 'dismissed'].includes(v.incident.state));
    for (const v of open) {
      const i = v.incident;
      L.marker([i.location.latitude, i.location.longitude], { icon: incidentIcon(i.state), title: i.title, zIndexOffset: 1000 }).on('click', () => showIncident(v)).addTo(incidentsLayer);
      mini?.append(h('button', { class: `mini-row state-${i.state}`, onclick: () => { map.setView([i.location.latitude, i.location.longitude], Math.max(map.getZoom(), 12)); showIncident(v); } },
        h('span', { class: 'mini-state' }, getLang() === 'en' ? i.state : v.stateZh), h('span', null, i.title)));
    }
    if (mini && open.length === 0) mini.append(h('p', { class: 'muted' }, t('noData')));
    setText('kpi-incidents', String(open.length));
  };

  const loadOverlays = async () => {
    try {
      const r: any = await api('/api/v1/fleet/alarms?open=true&limit=500', { quiet401: true });
      if (disposed) return;
      for (const a of r.alarms) alarms.set(a.id, a);
      redrawAlarms();
    } catch { /* no access to alarms */ }
    try {
      const r: any = await api('/api/v1/incidents?open=true');
      if (disposed) return;
      for (const v of r.incidents) incidents.set(v.incident.id, v);
      redrawIncidents();
    } catch { /* ignore */ }
    try {
      const rs: any[] = await api('/api/v1/resources');
      if (disposed) return;
      for (const r of rs) {
        L.circleMarker([r.latitude, r.longitude], { renderer, radius: 5, color: '#052e16', weight: 1, fillColor: r.state === 'available' ? '#22c55e' : '#f59e0b', fillOpacity: 1 })
          .bindTooltip(`${r.name} · ${r.organisation}`, { className: 'tip' }).addTo(resourcesLayer);
      }
    } catch { /* ignore */ }
  };

  // Weather warnings (fog, ice, rain, wind) sit at their weather station; congestion warnings at their section.
  const warningColours: Record<string, string> = { blue: '#3b82f6', yellow: '#eab308', orange: '#f97316', red: '#dc2626' };
  const warningSets = { weather: [] as any[], congestion: [] as any[] };
  const drawWarnings = () => {
    warningsLayer.clearLayers();
    const place = (x: any): [number, number] | null => {
      const station = x.station_id ? points.get(String(x.station_id)) : undefined;
      if (station) return [station.lat, station.lng];
      const ids: string[] = String(x.section_ids ?? x.section_id ?? '').split(',').filter(Boolean);
      const sec = ids.map((id) => sections.get(id.trim())).find(Boolean);
      if (sec) {
        const c = sec.line.getCenter();
        return [c.lat, c.lng];
      }
      if (typeof x.longitude === 'number') return [x.latitude, x.longitude];
      return null;
    };
    for (const x of warningSets.weather) {
      const at = place(x);
      if (!at) continue;
      const colour = warningColours[x.level] ?? '#0369a1';
      const title = `${x.kind} · ${x.level} · ${x.route ?? ''} ${x.from_stake ?? ''}–${x.to_stake ?? ''}`;
      L.marker(at, { icon: L.divIcon({ className: 'warning-icon', html: `<span style="background:${colour}">⚠</span>`, iconSize: [24, 24] }) })
        .bindTooltip(`${title}<br>${pick(x.advice_zh, x.advice_en)}`, { className: 'tip' })
        .on('click', () => openDrawer(`${t('warnings')} · ${x.kind}`, h('div', { class: 'level-badge', style: `background:${colour}` }, String(x.level)),
          dl([[t('route'), x.route], [t('stake'), `${x.from_stake ?? ''} – ${x.to_stake ?? ''}`], [t('issuedAt'), fmtTime(x.issued_at)], [t('description'), pick(x.advice_zh, x.advice_en)], [t('evidence'), x.evidence]])))
        .addTo(warningsLayer);
    }
    for (const x of warningSets.congestion) {
      const at = place(x);
      if (!at) continue;
      const colour = levelColours[x.predicted_level] ?? '#f97316';
      L.marker(at, { icon: L.divIcon({ className: 'warning-icon congestion', html: `<span style="background:${colour}">预</span>`, iconSize: [22, 22] }) })
        .bindTooltip(`${x.section_id}: ${x.horizon_min} min → ${x.predicted_level_zh ?? x.predicted_level} (${Math.round(x.predicted_speed_kmh ?? 0)} ${t('kmh')})`, { className: 'tip' })
        .on('click', () => showSection(String(x.section_id)))
        .addTo(warningsLayer);
    }
  };
  const loadWarnings = async () => {
    try {
      const w: any = await api('/api/v1/highway/weather', { quiet401: true });
      warningSets.weather = w.warnings ?? [];
    } catch { /* highway context absent */ }
    try {
      const w: any = await api('/api/v1/highway/warnings', { quiet401: true });
      warningSets.congestion = w.warnings ?? [];
    } catch { /* highway context absent */ }
    if (!disposed) drawWarnings();
  };

  // ---- live ----
  unsubs.push(live.on('sections', (p) => (networkLoaded ? applySectionStates(p) : pendingSections.push(p))));
  unsubs.push(live.on('vehicles', (p) => {
    vehicles.apply(p.vehicles, p.full, p.at, p.__receivedAt);
    setText('kpi-vehicles', String(vehicles.vehicles.size));
  }));
  unsubs.push(live.on('alarms', (a) => {
    alarms.set(a.id, a);
    redrawAlarms();
  }));
  unsubs.push(live.on('incidents', (v) => {
    incidents.set(v.incident.id, v);
    redrawIncidents();
  }));
  unsubs.push(live.on('warnings', () => loadWarnings()));

  loadNetwork().then(loadWarnings);
  loadOverlays();
  // The map is laid out by CSS grid after insertion.
  requestAnimationFrame(() => !disposed && map.invalidateSize());
  (window as any).__tbMap = map;

  return () => {
    disposed = true;
    unsubs.forEach((u) => u());
    disposeChart?.();
    map.remove();
  };
}

function setText(id: string, text: string): void {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}
