import L from 'leaflet';

// Both carriageways of a route share the route's centreline in the network GeoJSON. Each section is
// drawn shifted to the right of its direction of travel (traffic keeps right in China), by a fixed number
// of screen pixels, so 上行 and 下行 sit side by side at every zoom and each shows its own congestion.
// A section's LineString runs in its direction of travel (NetworkGeoJson writes 下行 sections from the
// higher stake to the lower), so "right" is the right of the line's own vertex order.

/** Width of a section's stroke at a zoom (px). */
export function carriagewayWeightPx(zoom: number): number {
  return zoom >= 11 ? 6 : 4;
}

/** Distance from the road's centreline to a carriageway's centreline at a zoom (px): half a stroke and a hairline gap. */
export function carriagewayOffsetPx(zoom: number): number {
  return carriagewayWeightPx(zoom) / 2 + 1;
}

/** Width of the grey road casing drawn under both carriageways at a zoom (px). */
export function roadCasingWeightPx(zoom: number): number {
  return 2 * carriagewayOffsetPx(zoom) + carriagewayWeightPx(zoom) + 2;
}

/**
 * The polyline shifted `offset` pixels to the right of its direction of travel, in screen space (y grows
 * downwards). Joins are mitred; a join sharper than 60° (or a U-turn) is bevelled so it never spikes.
 */
export function offsetToRight(points: L.Point[], offset: number): L.Point[] {
  const q: L.Point[] = [];
  for (const p of points) {
    const last = q[q.length - 1];
    if (!last || Math.abs(p.x - last.x) > 1e-6 || Math.abs(p.y - last.y) > 1e-6) q.push(p);
  }
  if (q.length < 2 || offset === 0) return points.slice();
  // The right-hand unit normal of each segment: (-dy, dx) with y pointing down.
  const normals: [number, number][] = [];
  for (let i = 0; i + 1 < q.length; i++) {
    const dx = q[i + 1].x - q[i].x;
    const dy = q[i + 1].y - q[i].y;
    const len = Math.hypot(dx, dy);
    normals.push([-dy / len, dx / len]);
  }
  const out: L.Point[] = [L.point(q[0].x + normals[0][0] * offset, q[0].y + normals[0][1] * offset)];
  for (let k = 1; k + 1 < q.length; k++) {
    const [ax, ay] = normals[k - 1];
    const [bx, by] = normals[k];
    const mx = ax + bx;
    const my = ay + by;
    const mlen = Math.hypot(mx, my);
    // cos of half the turn: the mitre is offset / cosHalf long; under 0.5 (a turn sharper than 120°) bevel instead.
    const cosHalf = mlen / 2;
    if (cosHalf < 0.5) {
      out.push(L.point(q[k].x + ax * offset, q[k].y + ay * offset), L.point(q[k].x + bx * offset, q[k].y + by * offset));
    } else {
      const scale = offset / (cosHalf * mlen);
      out.push(L.point(q[k].x + mx * scale, q[k].y + my * scale));
    }
  }
  const n = normals[normals.length - 1];
  const end = q[q.length - 1];
  out.push(L.point(end.x + n[0] * offset, end.y + n[1] * offset));
  return out;
}

function distanceToRings(p: L.Point, rings: L.Point[][]): number {
  let best = Infinity;
  for (const ring of rings) {
    if (ring.length === 1) best = Math.min(best, p.distanceTo(ring[0]));
    for (let i = 0; i + 1 < ring.length; i++) best = Math.min(best, L.LineUtil.pointToSegmentDistance(p, ring[i], ring[i + 1]));
  }
  return best;
}

// Leaflet 1.9 internals this class hooks into: Polyline#_project builds `_rings` (layer pixels) through
// `_projectLatlngs` on every zoom and reset, the renderer clips and draws them, and canvas hit-testing
// calls `_containsPoint`. Shifting the rings there moves drawing, bounds and clicks together.
type PolylineInternals = {
  _map: L.Map | null;
  _rings: L.Point[][] | undefined;
  _pxBounds: L.Bounds | undefined;
};
const base = L.Polyline.prototype as unknown as {
  _containsPoint(this: L.Polyline, p: L.Point, closed?: boolean): boolean;
};
const internals = (l: CarriagewayLine) => l as unknown as PolylineInternals;

/**
 * A section's carriageway: a polyline drawn a few pixels to the right of its direction of travel.
 * The carriageways of one map share a hit group: the canvas gives a click to the topmost path that
 * contains it, and the two carriageways are closer together than Leaflet's click tolerance, so a line
 * claims a point only when no other carriageway's stroke is nearer. Each keeps the full tolerance
 * where it is alone.
 */
export class CarriagewayLine extends L.Polyline {
  constructor(latlngs: L.LatLngExpression[] | L.LatLngExpression[][], options: L.PolylineOptions, private readonly hitGroup: Set<CarriagewayLine>) {
    super(latlngs, options);
  }

  onAdd(map: L.Map): this {
    super.onAdd(map);
    this.hitGroup.add(this);
    return this;
  }

  onRemove(map: L.Map): this {
    this.hitGroup.delete(this);
    super.onRemove(map);
    return this;
  }

  _projectLatlngs(latlngs: unknown[], result: L.Point[][], projectedBounds: L.Bounds): void {
    if (latlngs.length > 0 && latlngs[0] instanceof L.LatLng) {
      const map = internals(this)._map!;
      const ring = (latlngs as L.LatLng[]).map((ll) => map.latLngToLayerPoint(ll));
      const shifted = offsetToRight(ring, carriagewayOffsetPx(map.getZoom()));
      for (const p of shifted) projectedBounds.extend(p);
      result.push(shifted);
    } else {
      for (const inner of latlngs) this._projectLatlngs(inner as unknown[], result, projectedBounds);
    }
  }

  _containsPoint(p: L.Point, closed?: boolean): boolean {
    if (!base._containsPoint.call(this, p, closed)) return false;
    const mine = distanceToRings(p, internals(this)._rings ?? []);
    for (const other of this.hitGroup) {
      if (other === this) continue;
      const o = internals(other);
      if (!o._pxBounds?.contains(p) || !base._containsPoint.call(other, p, closed)) continue;
      if (distanceToRings(p, o._rings ?? []) < mine - 0.01) return false;
    }
    return true;
  }
}
