import { api } from './api';

// The platform's "now". In the demo the platform runs on the twin's simulated clock, faster than wall time
// (e.g. ×10), so anything that means "now" in platform terms (the header clock, "the last two hours" of a
// track) asks here rather than the browser's clock. The answer of /api/v1/console/clock is extrapolated at
// its rate from the moment it arrived, on the browser's monotonic clock, and refreshed every 30 s (every
// 5 s while the twin fast-forwards, when the rate does not hold). Wall-time measurements (latencies) keep
// using Date.now()/performance.now().

interface ClockAnswer {
  now: string;
  rate: number;
  simulated: boolean;
  fastForward?: boolean;
}

export interface PlatformClockState {
  /** Platform seconds per wall second. */
  rate: number;
  simulated: boolean;
  fastForward: boolean;
  /** False until the server answered once (then "now" is the browser's). */
  synced: boolean;
}

const REFRESH_MS = 30_000;
const FAST_FORWARD_REFRESH_MS = 5_000;

export const platformClock: PlatformClockState = { rate: 1, simulated: false, fastForward: false, synced: false };

let anchorPlatformMs = Date.now();
let anchorPerfMs = performance.now();
let timer: number | undefined;
const listeners = new Set<(c: PlatformClockState) => void>();

/** The platform's now, in milliseconds since the epoch. */
export function serverNowMs(): number {
  return anchorPlatformMs + (performance.now() - anchorPerfMs) * platformClock.rate;
}

/** The platform's now. */
export function serverNow(): Date {
  return new Date(serverNowMs());
}

/** Called after every sync (and at once); returns the unsubscribe. */
export function onPlatformClock(l: (c: PlatformClockState) => void): () => void {
  listeners.add(l);
  l(platformClock);
  return () => listeners.delete(l);
}

async function sync(): Promise<void> {
  const sent = performance.now();
  try {
    const c = await api<ClockAnswer>('/api/v1/console/clock', { quiet401: true });
    const received = performance.now();
    const at = Date.parse(c.now);
    if (Number.isNaN(at)) throw new Error(`not a time: ${c.now}`);
    // The server read its clock somewhere during the round trip: take the middle.
    anchorPlatformMs = at;
    anchorPerfMs = (sent + received) / 2;
    platformClock.rate = Number.isFinite(c.rate) && c.rate > 0 ? c.rate : 1;
    platformClock.simulated = Boolean(c.simulated);
    platformClock.fastForward = Boolean(c.fastForward);
    platformClock.synced = true;
  } catch {
    // An older server or a network blip: keep extrapolating from the last answer (or the browser's clock).
  }
  listeners.forEach((l) => l(platformClock));
  window.clearTimeout(timer);
  timer = window.setTimeout(sync, platformClock.fastForward ? FAST_FORWARD_REFRESH_MS : REFRESH_MS);
}

/** Fetches the platform clock now and keeps it fresh; resolves after the first answer (or failure). */
export function startPlatformClock(): Promise<void> {
  return sync();
}

/** "×10", "×2.5": the rate as the header badge shows it. */
export function formatRate(rate: number): string {
  return `×${Number.isInteger(rate) ? rate : rate.toFixed(1)}`;
}
