import './style.css';
import { api, ApiError, setUnauthorizedHandler } from './api';
import { h, clear, toast } from './dom';
import { t, setLang, getLang, fmtTime } from './i18n';
import { session, loadConfig, live, can, type User } from './state';
import { current } from './router';
import { startPlatformClock, onPlatformClock, serverNow, formatRate } from './platformClock';
import { mapView } from './views/mapView';
import { incidentsView } from './views/incidentsView';
import { supervisionView } from './views/supervisionView';
import { dataView } from './views/dataView';
import { usersView } from './views/usersView';

const app = document.getElementById('app')!;
let disposeView: (() => void) | null = null;
let clockTimer: number | undefined;
let unsubscribeClock: (() => void) | null = null;

const views: Record<string, { label: string; render: (root: HTMLElement, params: Record<string, string>) => () => void; visible: () => boolean }> = {
  map: { label: 'navMap', render: (r) => mapView(r), visible: () => true },
  incidents: { label: 'navIncidents', render: incidentsView, visible: () => true },
  supervision: { label: 'navSupervision', render: supervisionView, visible: () => true },
  data: { label: 'navData', render: dataView, visible: () => true },
  users: { label: 'navUsers', render: (r) => usersView(r), visible: () => can('users') },
};

setLang(getLang());
setUnauthorizedHandler(() => {
  if (session.user) {
    session.user = null;
    live.disconnect();
    renderLogin(t('sessionExpired'));
  }
});

async function start(): Promise<void> {
  try {
    await Promise.all([loadConfig(), startPlatformClock()]);
  } catch {
    // the console still works with defaults
  }
  try {
    const me = await api<{ user: User }>('/api/v1/auth/me', { quiet401: true });
    session.user = me.user;
    renderShell();
  } catch {
    renderLogin();
  }
}

function renderLogin(message?: string): void {
  disposeView?.();
  disposeView = null;
  clear(app);
  const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'login-error', id: 'login-error', role: 'alert' }, message ?? '');
  const form = h('form', { class: 'login-card', id: 'login-form' },
    h('div', { class: 'brand big' }, h('span', { class: 'logo' }), h('div', null, h('div', { class: 'brand-title' }, t('appTitle')), h('div', { class: 'brand-sub' }, t('loginTitle')))),
    h('label', null, t('userName'), name),
    h('label', null, t('password'), password),
    error,
    h('button', { type: 'submit', class: 'primary wide', id: 'login-submit' }, t('login')),
    h('div', { class: 'lang-switch' }, langButton()));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      const r = await api<{ user: User }>('/api/v1/auth/login', { method: 'POST', body: { name: name.value, password: password.value }, quiet401: true });
      session.user = r.user;
      renderShell();
    } catch (err) {
      const p = err instanceof ApiError ? err.problem : {};
      const status = err instanceof ApiError ? err.status : 0;
      error.textContent = status === 423 ? t('locked', { t: fmtTime(String(p.lockedUntil ?? '')) })
        : status === 429 ? t('tooMany')
        : status === 403 ? t('disabled')
        : `${t('loginFailed')}${typeof p.attemptsLeft === 'number' ? `（${t('attemptsLeft', { n: p.attemptsLeft })}）` : ''}`;
      password.value = '';
      password.focus();
    }
  });
  app.append(h('div', { class: 'login-page' }, form));
}

function langButton(): HTMLElement {
  return h('button', { class: 'lang', id: 'lang-switch', type: 'button', onclick: () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); session.user ? renderShell() : renderLogin(); } }, getLang() === 'zh' ? 'English' : '中文');
}

function renderShell(): void {
  disposeView?.();
  disposeView = null;
  clear(app);
  const u = session.user!;
  const nav = h('nav', { class: 'tabs' }, Object.entries(views).filter(([, v]) => v.visible()).map(([k, v]) => h('a', { href: `#/${k}`, 'data-view': k, class: 'tab' }, t(v.label))));
  const liveDot = h('span', { class: 'live-dot', id: 'live-status' }, t('offline'));
  // Platform time (simulated in the demo), with a badge saying so and how fast it runs.
  const clock = h('span', { class: 'clock', id: 'platform-clock', title: t('platformTime') });
  const simBadge = h('span', { class: 'sim-badge', id: 'sim-badge', hidden: true });
  const tick = () => (clock.textContent = serverNow().toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }));
  tick();
  window.clearInterval(clockTimer);
  clockTimer = window.setInterval(tick, 1000);
  unsubscribeClock?.();
  unsubscribeClock = onPlatformClock((c) => {
    simBadge.hidden = !c.simulated;
    simBadge.textContent = c.fastForward ? `${t('simulated')} ${t('fastForward')}` : `${t('simulated')} ${formatRate(c.rate)}`;
    simBadge.title = t('simulatedHint', { rate: formatRate(c.rate).slice(1) });
    tick();
  });
  const header = h('header', { class: 'top' },
    h('div', { class: 'brand' }, h('span', { class: 'logo' }), h('div', null, h('div', { class: 'brand-title' }, t('appTitle')), h('div', { class: 'brand-sub' }, t('appSub')))),
    nav,
    h('div', { class: 'top-right' }, liveDot, simBadge, clock,
      h('span', { class: 'who', id: 'who' }, `${u.displayName ?? u.name} · ${getLang() === 'en' ? u.role : u.roleZh} · ${u.organisation}`),
      langButton(),
      h('button', { class: 'ghost', id: 'logout', onclick: async () => { await api('/api/v1/auth/logout', { method: 'POST', quiet401: true }).catch(() => undefined); session.user = null; live.disconnect(); renderLogin(); } }, t('logout'))));
  const main = h('main', { id: 'view' });
  app.append(h('div', { class: 'shell' }, header, u.role === 'viewer' ? h('div', { class: 'banner' }, t('viewerNotice')) : null, main));
  live.connect();
  live.onStatus((up) => {
    liveDot.textContent = up ? t('live') : t('offline');
    liveDot.classList.toggle('up', up);
  });
  route();
}

function route(): void {
  if (!session.user) return;
  const main = document.getElementById('view');
  if (!main) return;
  const { view, params } = current();
  const v = views[view] && views[view].visible() ? views[view] : views.map;
  disposeView?.();
  clear(main);
  main.className = `view-${view}`;
  document.querySelectorAll('.tab').forEach((a) => a.classList.toggle('active', (a as HTMLElement).dataset.view === view));
  try {
    disposeView = v.render(main, params);
  } catch (e) {
    toast(String(e), 'error');
  }
}

window.addEventListener('hashchange', route);
start();
