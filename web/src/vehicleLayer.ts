import L from 'leaflet';
import { perf } from './state';

export interface Vehicle {
  id: string;
  lon: number;
  lat: number;
  speed: number;
  heading: number;
  cat: number;
  time: number;
}

export const categoryColours = ['#9aa8bd', '#4fc3f7', '#b388ff', '#ff5252', '#ffb74d'];

/**
 * Thousands of live vehicles on one canvas: one path per category per frame, redrawn at most once per
 * animation frame, so 5,000 vehicles updating every few seconds stay cheap. Leaflet's own markers
 * (one DOM node or canvas path each, with events) would not.
 */
export class VehicleLayer extends L.Layer {
  readonly vehicles = new Map<string, Vehicle>();
  private canvas!: HTMLCanvasElement;
  private frame = 0;
  private hidden = new Set<number>();
  private pendingLatency: number[] = [];

  override onAdd(map: L.Map): this {
    this.canvas = L.DomUtil.create('canvas', 'vehicle-canvas leaflet-layer') as HTMLCanvasElement;
    this.canvas.style.pointerEvents = 'none';
    // its own pane above the network canvases, so vehicles on a section are drawn over it
    let pane = map.getPane('vehicles');
    if (!pane) {
      pane = map.createPane('vehicles');
      pane.style.zIndex = '450';
      pane.style.pointerEvents = 'none';
    }
    pane.appendChild(this.canvas);
    map.on('moveend zoomend resize', this.reset, this);
    map.on('zoomstart', this.hide, this);
    this.reset();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('moveend zoomend resize', this.reset, this);
    map.off('zoomstart', this.hide, this);
    this.canvas.remove();
    return this;
  }

  setHiddenCategories(cats: number[]): void {
    this.hidden = new Set(cats);
    this.schedule();
  }

  /** Applies a frame of rows [id, lon, lat, speed, heading, cat, time]; full frames replace everything. */
  apply(rows: [string, number, number, number, number, number, number][], full: boolean, serverAt?: string, receivedAt?: number): void {
    const started = performance.now();
    if (full) this.vehicles.clear();
    for (const r of rows) {
      const v = this.vehicles.get(r[0]);
      if (v) {
        v.lon = r[1]; v.lat = r[2]; v.speed = r[3]; v.heading = r[4]; v.cat = r[5]; v.time = r[6];
      } else {
        this.vehicles.set(r[0], { id: r[0], lon: r[1], lat: r[2], speed: r[3], heading: r[4], cat: r[5], time: r[6] });
      }
    }
    perf.vehicleFrames++;
    perf.lastVehicleCount = rows.length;
    const applyMs = performance.now() - (receivedAt ?? started);
    perf.lastVehicleApplyMs = applyMs;
    if (serverAt) this.pendingLatency.push(Date.parse(serverAt));
    this.schedule();
  }

  find(point: L.Point, radiusPx = 8): Vehicle | null {
    if (!this._map) return null;
    let best: Vehicle | null = null;
    let bestD = radiusPx * radiusPx;
    for (const v of this.vehicles.values()) {
      if (this.hidden.has(v.cat)) continue;
      const p = this._map.latLngToContainerPoint([v.lat, v.lon]);
      const d = (p.x - point.x) ** 2 + (p.y - point.y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = v;
      }
    }
    return best;
  }

  private hide(): void {
    if (this.canvas) this.canvas.style.visibility = 'hidden';
  }

  private reset(): void {
    if (!this._map) return;
    const size = this._map.getSize();
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = size.x * ratio;
    this.canvas.height = size.y * ratio;
    this.canvas.style.width = `${size.x}px`;
    this.canvas.style.height = `${size.y}px`;
    L.DomUtil.setPosition(this.canvas, this._map.containerPointToLayerPoint([0, 0]));
    this.canvas.style.visibility = 'visible';
    this.draw();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    if (!this._map) return;
    const t0 = performance.now();
    const map = this._map;
    const ctx = this.canvas.getContext('2d')!;
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const size = map.getSize();
    ctx.clearRect(0, 0, size.x, size.y);
    const zoom = map.getZoom();
    const r = zoom >= 13 ? 5 : zoom >= 10 ? 3.5 : 2.5;
    const bounds = map.getBounds().pad(0.05);
    const south = bounds.getSouth(), north = bounds.getNorth(), west = bounds.getWest(), east = bounds.getEast();
    const paths = categoryColours.map(() => new Path2D());
    for (const v of this.vehicles.values()) {
      if (v.lat < south || v.lat > north || v.lon < west || v.lon > east || this.hidden.has(v.cat)) continue;
      const p = map.latLngToContainerPoint([v.lat, v.lon]);
      const path = paths[v.cat] ?? paths[0];
      if (zoom >= 12) {
        // an arrow pointing where the vehicle heads
        const a = (v.heading * Math.PI) / 180;
        const s = Math.sin(a), c = Math.cos(a);
        path.moveTo(p.x + s * r * 1.8, p.y - c * r * 1.8);
        path.lineTo(p.x - s * r - c * r, p.y + c * r - s * r);
        path.lineTo(p.x - s * r + c * r, p.y + c * r + s * r);
        path.closePath();
      } else {
        path.moveTo(p.x + r, p.y);
        path.arc(p.x, p.y, r, 0, Math.PI * 2);
      }
    }
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(8,14,24,0.85)';
    paths.forEach((path, i) => {
      ctx.fillStyle = categoryColours[i];
      ctx.fill(path);
      if (zoom >= 10) ctx.stroke(path);
    });
    const drawMs = performance.now() - t0;
    perf.lastDrawMs = drawMs;
    perf.drawMs.push(drawMs);
    if (perf.drawMs.length > 500) perf.drawMs.shift();
    if (this.pendingLatency.length) {
      const now = Date.now();
      for (const at of this.pendingLatency) {
        perf.lastVehicleLatencyMs = now - at;
        perf.vehicleLatencyMs.push(now - at);
      }
      perf.vehicleApplyMs.push(perf.lastVehicleApplyMs + drawMs);
      this.pendingLatency = [];
    }
  }
}
