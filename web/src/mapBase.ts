import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { session } from './state';

/** A Leaflet map on the console's settings: canvas rendering, a base map only when a tile URL is configured. */
export function createMap(el: HTMLElement, opts: { zoomControl?: boolean } = {}): L.Map {
  const cfg = session.config;
  const map = L.map(el, {
    preferCanvas: true,
    zoomControl: opts.zoomControl ?? true,
    attributionControl: Boolean(cfg?.tileUrl),
    worldCopyJump: false,
    minZoom: 4,
    zoomSnap: 0.25,
    zoomDelta: 0.5,
    maxZoom: 18,
  });
  if (cfg?.tileUrl) {
    L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution ?? '', maxZoom: 18 }).addTo(map);
  }
  const centre = cfg?.mapCentre;
  map.setView(centre ? [centre[1], centre[0]] : [26.6, 106.7], cfg?.mapZoom ?? 9);
  return map;
}

export const levelColours: Record<number, string> = {
  1: '#2fbf71',
  2: '#a6d84a',
  3: '#f5d316',
  4: '#ff8c1a',
  5: '#e0302b',
};
export const noDataColour = '#5d6d86';

export interface NetworkFeature {
  type: 'Feature';
  id?: string | number;
  geometry: { type: string; coordinates: any };
  properties: Record<string, any> & { kind?: string; state?: SectionState | null };
}

export interface SectionState {
  interval_start?: string;
  speed_kmh?: number;
  travel_time_s?: number;
  flow_vph?: number;
  level?: number;
  level_zh?: string;
  level_en?: string;
}

export function featureId(f: NetworkFeature): string {
  return String(f.properties.id ?? f.properties.section_id ?? f.id ?? '');
}

export function featureName(f: NetworkFeature): string {
  const p = f.properties;
  if (p.kind === 'section' && p.from_stake) {
    const dir = p.direction === 1 ? '上行' : p.direction === 2 ? '下行' : '';
    return `${p.route ?? ''} ${p.from_stake}–${p.to_stake ?? ''} ${dir}`.trim();
  }
  return String(p.name_zh ?? p.name ?? p.nameZh ?? p.name_en ?? featureId(f));
}
