import { api, post, put, ApiError } from '../api';
import { h, clear, toast, table } from '../dom';
import { t, fmtTime } from '../i18n';

const roles = ['administrator', 'operator', 'supervisor', 'viewer'];
const roleLabel = (r: string) => t(`role${r[0].toUpperCase()}${r.slice(1)}`);

/** User administration (administrators): create, change role, disable, unlock. */
export function usersView(root: HTMLElement): () => void {
  const list = h('div', { class: 'card', id: 'users' });
  const name = h('input', { id: 'user-name', placeholder: t('userName'), required: true });
  const display = h('input', { id: 'user-display', placeholder: t('displayName') });
  const org = h('input', { id: 'user-org', placeholder: t('organisation'), required: true });
  const role = h('select', { id: 'user-role' }, roles.map((r) => h('option', { value: r }, roleLabel(r))));
  const password = h('input', { id: 'user-password', type: 'password', placeholder: t('password'), required: true, autocomplete: 'new-password' });
  const form = h('form', { class: 'card form' }, h('h3', null, t('createUser')), h('div', { class: 'form-row' }, name, display, org, role, password, h('button', { class: 'primary', type: 'submit' }, t('submit'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await post('/api/v1/users', { name: name.value, displayName: display.value || undefined, organisation: org.value, role: role.value, password: password.value });
      toast(t('done'));
      form.reset();
      refresh();
    } catch (err) {
      toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  });
  root.append(h('div', { class: 'users-layout' }, form, list));

  const change = async (user: string, body: unknown) => {
    try {
      await put(`/api/v1/users/${encodeURIComponent(user)}`, body);
      toast(t('done'));
      refresh();
    } catch (err) {
      toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  };

  const refresh = async () => {
    const users: any[] = await api('/api/v1/users');
    clear(list);
    list.append(h('h3', null, t('users')), table([t('userName'), t('displayName'), t('organisation'), t('role'), t('status'), t('time'), t('actions')], users.map((u) => {
      const sel = h('select', { onchange: () => change(u.name, { role: sel.value }) }, roles.map((r) => h('option', { value: r, selected: r === u.role }, roleLabel(r))));
      const locked = u.lockedUntil && Date.parse(u.lockedUntil) > Date.now();
      return [u.name, u.displayName ?? '', u.organisation, sel,
        u.disabled ? h('span', { class: 'pill' }, t('disable')) : locked ? h('span', { class: 'pill sev-high' }, `🔒 ${fmtTime(u.lockedUntil)}`) : h('span', { class: 'pill on' }, '✓'),
        fmtTime(u.lastLoginAt),
        h('span', null,
          locked ? h('button', { class: 'small', onclick: () => change(u.name, { unlock: true }) }, t('unlock')) : null,
          h('button', { class: 'small', onclick: () => change(u.name, { disabled: !u.disabled }) }, u.disabled ? t('enable') : t('disable')))];
    })));
  };
  refresh();
  return () => {};
}
