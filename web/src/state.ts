import { api } from './api';

export interface User {
  name: string;
  displayName: string | null;
  organisation: string;
  role: string;
  roleZh: string;
  permissions: string[];
}

export interface ConsoleConfig {
  tileUrl: string | null;
  tileAttribution: string | null;
  networkUrl: string;
  mapCentre: [number, number] | null;
  mapZoom: number;
}

export const session: { user: User | null; config: ConsoleConfig | null } = { user: null, config: null };

export const can = (permission: string): boolean => session.user?.permissions.includes(permission) ?? false;

export async function loadConfig(): Promise<ConsoleConfig> {
  session.config = await api<ConsoleConfig>('/api/v1/console/config');
  return session.config;
}

type Listener = (payload: any) => void;

/** The live feed (Server-Sent Events): one connection, many listeners per topic. */
class Live {
  private source: EventSource | null = null;
  private listeners = new Map<string, Set<Listener>>();
  private statusListeners = new Set<(up: boolean) => void>();
  up = false;

  connect(): void {
    if (this.source) return;
    const topics = 'sections,vehicles,alarms,incidents,resources,control,warnings,notices';
    this.source = new EventSource(`/api/v1/live?topics=${topics}`);
    this.source.onopen = () => this.setUp(true);
    this.source.onerror = () => this.setUp(false);
    for (const topic of topics.split(',')) {
      this.source.addEventListener(topic, (e) => {
        const received = performance.now();
        const data = JSON.parse((e as MessageEvent).data);
        data.__receivedAt = received;
        this.listeners.get(topic)?.forEach((l) => l(data));
      });
    }
  }

  disconnect(): void {
    this.source?.close();
    this.source = null;
    this.setUp(false);
  }

  on(topic: string, l: Listener): () => void {
    if (!this.listeners.has(topic)) this.listeners.set(topic, new Set());
    this.listeners.get(topic)!.add(l);
    return () => this.listeners.get(topic)?.delete(l);
  }

  onStatus(l: (up: boolean) => void): void {
    this.statusListeners.add(l);
    l(this.up);
  }

  private setUp(up: boolean): void {
    this.up = up;
    this.statusListeners.forEach((l) => l(up));
  }
}

export const live = new Live();

/** Numbers the browser test reads (window.__tb.perf). */
export const perf = {
  vehicleFrames: 0,
  lastVehicleCount: 0,
  lastVehicleApplyMs: 0,
  lastVehicleLatencyMs: 0,
  vehicleApplyMs: [] as number[],
  vehicleLatencyMs: [] as number[],
  sectionUpdates: 0,
  lastSectionApplyMs: 0,
  sectionApplyMs: [] as number[],
  lastDrawMs: 0,
  drawMs: [] as number[],
};
(window as unknown as { __tb: unknown }).__tb = { perf };
