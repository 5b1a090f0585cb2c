// /admin/pengguna: officer accounts; create one, change role, unit, head flag or status.
import { useState, type FormEvent } from 'react';
import type { Agency, Me, RegionNode } from '@api';
import { request, type ScopeKind } from '../api';
import { useSession } from '../session';
import { Spinner } from '../ui';
import { Check, Input, Select } from './controls';
import { Msg, useAction, useLoad } from '../backoffice';
import { AdminTable, SectionHead } from './shared';
import { useAdminStrings, type AdminStrings } from './strings';

const ROLES = ['officer', 'coordinator', 'pimpinan', 'command', 'admin'] as const;
const PAGE = 25;

interface Units {
  agencies: Agency[];
  districts: RegionNode[];
}

export function Users() {
  const { s } = useAdminStrings();
  const users = useLoad<{ users: Me[] }>('/users?kind=officer&limit=200');
  const agencies = useLoad<{ agencies: Agency[] }>('/agencies');
  const regions = useLoad<{ region: RegionNode }>('/regions');
  const [editing, setEditing] = useState<Me | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [roleFilter, setRoleFilter] = useState('');
  const [shown, setShown] = useState(PAGE);
  const filter = (text: string, role: string) => {
    setQ(text);
    setRoleFilter(role);
    setShown(PAGE);
  };

  const err = users.error ?? agencies.error ?? regions.error;
  if (err) return <Msg ok={null} err={err} />;
  if (!users.data || !agencies.data || !regions.data) return <Spinner label={s.loading} />;
  const units: Units = { agencies: agencies.data.agencies, districts: regions.data.region.children ?? [] };
  const needle = q.trim().toLowerCase();
  const matching = [...users.data.users].sort((a, b) => a.name.localeCompare(b.name, 'id')).filter(
    (u) =>
      (!roleFilter || u.role === roleFilter) &&
      (!needle || [u.name, u.username ?? '', u.scope?.name ?? '', u.scope?.code ?? ''].some((x) => x.toLowerCase().includes(needle))),
  );

  return (
    <section className="ad-section">
      <SectionHead title={s.usrTitle} lead={s.usrLead} />
      <Msg ok={ok} err={null} />
      <div className="ad-two">
        <div className="ad-stack">
          <div className="ad-filter" role="search">
            <Input label={s.usrSearch} value={q} onChange={(v) => filter(v, roleFilter)} />
            <Select label={s.roleFilter} value={roleFilter} onChange={(v) => filter(q, v)}>
              <option value="">{s.allRoles}</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {s.roles[r]}
                </option>
              ))}
            </Select>
          </div>
          <AdminTable columns={[s.fullName, s.role, s.scope, s.colStatus]} actions={s.colActions} items={matching.slice(0, shown)} empty={s.noUsers}>
            {(u) => (
              <tr key={u.id} className={editing?.id === u.id ? 'is-selected' : undefined}>
                <td>
                  <strong>{u.name}</strong>
                  <span className="ad-sub mono">{u.username}</span>
                </td>
                <td>{s.roles[u.role] ?? u.role}</td>
                <td>
                  {u.scope ? (
                    <>
                      {u.scope.name ?? u.scope.code}
                      <span className="ad-sub">
                        {s.scopeKinds[u.scope.kind]}
                        {u.scope.isHead ? ' · ' + s.head : ''}
                      </span>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  <span className={'ad-badge ' + (u.status === 'active' ? 'ad-badge--ok' : 'ad-badge--off')}>{s.statuses[u.status]}</span>
                </td>
                <td className="ad-actions">
                  <button type="button" className="btn btn--secondary btn--small" onClick={() => setEditing(u)} aria-label={s.usrEdit(u.username ?? u.name)}>
                    {s.edit}
                  </button>
                </td>
              </tr>
            )}
          </AdminTable>
            {matching.length > shown && (
              <div className="ad-more">
                <p className="muted">{s.shownOf(shown, matching.length)}</p>
                <button type="button" className="btn btn--secondary btn--small" onClick={() => setShown((n) => n + PAGE)}>
                  {s.showMore}
                </button>
              </div>
            )}
        </div>
        <div className="ad-side">
          {editing ? (
            <UserForm
              key={editing.id}
              user={editing}
              units={units}
              s={s}
              onDone={(msg) => {
                setEditing(null);
                if (msg) setOk(msg);
                users.reload();
              }}
            />
          ) : (
            <UserForm
              key="new"
              units={units}
              s={s}
              onDone={(msg) => {
                if (msg) setOk(msg);
                users.reload();
              }}
            />
          )}
        </div>
      </div>
    </section>
  );
}

function UserForm({ user, units, s, onDone }: { user?: Me; units: Units; s: AdminStrings; onDone: (msg: string | null) => void }) {
  const { city } = useSession();
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string>(user?.role ?? 'officer');
  const [kind, setKind] = useState<ScopeKind>(user?.scope?.kind ?? 'kelurahan');
  const [code, setCode] = useState(user?.scope?.code ?? '');
  const [isHead, setIsHead] = useState(user?.scope?.isHead ?? false);
  const [status, setStatus] = useState<string>(user?.status ?? 'active');
  const { busy, err, run } = useAction();

  const scope = kind === 'city' ? { kind, code: city?.code ?? code } : { kind, code };

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(async () => {
      if (user) {
        await request('PATCH', '/users/' + user.id, {
          role,
          scope,
          isHead,
          ...(status === 'active' || status === 'suspended' ? { status } : {}),
        });
        onDone(s.usrSaved(user.username ?? user.name));
      } else {
        await request('POST', '/users', { username: username.trim(), name: name.trim(), role, scope, isHead, password });
        onDone(s.usrCreated(username.trim()));
        setUsername('');
        setName('');
        setPassword('');
      }
    });
  }

  return (
    <form className="card ad-form" onSubmit={submit}>
      <h2>{user ? s.usrEditTitle(user.username ?? user.name) : s.usrAdd}</h2>
      {!user && (
        <>
          <Input label={s.username} value={username} onChange={setUsername} required autoComplete="off" />
          <Input label={s.fullName} value={name} onChange={setName} required autoComplete="off" />
        </>
      )}
      <Select label={s.role} value={role} onChange={setRole}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {s.roles[r]}
          </option>
        ))}
      </Select>
      <Select
        label={s.scopeKind}
        value={kind}
        onChange={(v) => {
          setKind(v as ScopeKind);
          setCode('');
        }}
      >
        {(['city', 'opd', 'kecamatan', 'kelurahan'] as const).map((k) => (
          <option key={k} value={k}>
            {s.scopeKinds[k]}
          </option>
        ))}
      </Select>
      {kind !== 'city' && (
        <Select label={s.scopeCode} value={code} onChange={setCode} required>
          <option value="">{s.choose}</option>
          {kind === 'opd' &&
            units.agencies
              .filter((a) => a.kind === 'opd')
              .map((a) => (
                <option key={a.code} value={a.code}>
                  {a.shortName} — {a.name}
                </option>
              ))}
          {kind === 'kecamatan' &&
            units.districts.map((d) => (
              <option key={d.code} value={d.code}>
                {d.name}
              </option>
            ))}
          {kind === 'kelurahan' &&
            units.districts.map((d) => (
              <optgroup key={d.code} label={d.name}>
                {(d.children ?? []).map((v) => (
                  <option key={v.code} value={v.code}>
                    {v.name}
                  </option>
                ))}
              </optgroup>
            ))}
        </Select>
      )}
      <Check label={s.isHead} checked={isHead} onChange={setIsHead} />
      {user && user.status !== 'pending_setup' && (
        <Select label={s.statusLabel} value={status} onChange={setStatus}>
          <option value="active">{s.statuses.active}</option>
          <option value="suspended">{s.statuses.suspended}</option>
        </Select>
      )}
      {!user && <Input label={s.password} hint={s.passwordHint} type="text" value={password} onChange={setPassword} required autoComplete="new-password" />}
      <Msg ok={null} err={err} />
      <div className="ad-buttons">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? s.saving : user ? s.save : s.usrAdd}
        </button>
        {user && (
          <button type="button" className="btn btn--secondary" onClick={() => onDone(null)}>
            {s.cancel}
          </button>
        )}
      </div>
    </form>
  );
}
