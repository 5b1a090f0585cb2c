// /admin/notifikasi: notification channels (console, SMTP, webhook), a test button, and the failed
// deliveries with a retry. Secrets come back masked as ******** and are sent back unchanged or replaced.
import { useState, type FormEvent } from 'react';
import type { ChannelTestResult, ChannelView, DeliveryView } from '@api';
import { request } from '../api';
import { Check, Input, Select, Textarea } from './controls';
import { Msg, useAction, useLoad, WhenLoaded } from '../backoffice';
import { AdminTable, fmtDateTime, SectionHead } from './shared';
import { useAdminStrings, type AdminStrings } from './strings';

type Kind = ChannelView['kind'];

const MASK = '********';

export function Notifications() {
  const { s, lang } = useAdminStrings();
  const channels = useLoad<{ channels: ChannelView[] }>('/notification-channels');
  const failed = useLoad<{ deliveries: DeliveryView[] }>('/notification-deliveries?status=failed&limit=100');
  const [editing, setEditing] = useState<ChannelView | null>(null);
  const [testTo, setTestTo] = useState('');
  const { busy, ok, err, run, setOk, setErr } = useAction();

  function test(c: ChannelView) {
    void run(async () => {
      const r = await request<ChannelTestResult>('POST', `/notification-channels/${c.id}/test`, testTo.trim() ? { to: testTo.trim() } : {});
      if (!r.ok) throw new Error(s.ntfTestFail(c.name, r.error ?? '?'));
      return s.ntfTestOk(c.name);
    });
  }

  function remove(c: ChannelView) {
    if (!window.confirm(s.confirmRemove(c.name))) return;
    void run(async () => {
      await request('DELETE', `/notification-channels/${c.id}`);
      if (editing?.id === c.id) setEditing(null);
      channels.reload();
      return s.ntfRemoved;
    });
  }

  function retry(d: DeliveryView) {
    void run(async () => {
      const r = await request<{ delivery: DeliveryView }>('POST', `/notification-deliveries/${d.id}/retry`);
      failed.reload();
      return s.retried(r.delivery.status);
    });
  }

  return (
    <section className="ad-section">
      <SectionHead title={s.ntfTitle} lead={s.ntfLead} />
      <Msg ok={ok} err={err} />
      <div className="ad-two">
        <div className="ad-stack">
          <WhenLoaded load={channels} loading={s.loading}>
            {(data) => (
              <AdminTable columns={[s.ntfName, s.ntfKind, s.ntfConfig, s.colStatus]} actions={s.colActions} items={data.channels} empty={s.ntfNone}>
                {(c) => (
                  <tr key={c.id} className={editing?.id === c.id ? 'is-selected' : undefined}>
                    <td>
                      <strong>{c.name}</strong>
                    </td>
                    <td>{s.ntfKinds[c.kind]}</td>
                    <td className="ad-config">{summary(c)}</td>
                    <td>
                      <span className={'ad-badge ' + (c.enabled ? 'ad-badge--ok' : 'ad-badge--off')}>{c.enabled ? s.active : s.inactive}</span>
                    </td>
                    <td className="ad-actions">
                      <button type="button" className="btn btn--secondary btn--small" disabled={busy} onClick={() => test(c)} aria-label={`${s.ntfTest}: ${c.name}`}>
                        {s.ntfTest}
                      </button>
                      <button type="button" className="btn btn--secondary btn--small" onClick={() => setEditing(c)} aria-label={`${s.edit}: ${c.name}`}>
                        {s.edit}
                      </button>
                      <button type="button" className="btn btn--secondary btn--small ad-danger" onClick={() => remove(c)} aria-label={`${s.remove}: ${c.name}`}>
                        {s.remove}
                      </button>
                    </td>
                  </tr>
                )}
              </AdminTable>
            )}
          </WhenLoaded>
          <div className="ad-inline">
            <Input label={s.ntfTestTo} value={testTo} onChange={setTestTo} />
          </div>

          <h2 className="ad-h2">{s.failedTitle}</h2>
          <WhenLoaded load={failed} loading={s.loading}>
            {(data) => (
              <AdminTable columns={[s.colWhen, s.colChannel, s.colRecipient, s.colSubject, s.colError, s.colAttempts]} actions={s.colActions} items={data.deliveries} empty={s.failedNone}>
                {(d) => (
                  <tr key={d.id}>
                    <td className="ad-nowrap">{fmtDateTime(d.createdAt, lang)}</td>
                    <td>{d.channelName}</td>
                    <td className="mono">{d.recipientHidden ? s.recipientHidden : (d.recipient ?? '—')}</td>
                    <td>{d.subject}</td>
                    <td className="ad-error-text">{d.lastError ?? '—'}</td>
                    <td>{d.attempts}</td>
                    <td className="ad-actions">
                      <button type="button" className="btn btn--secondary btn--small" disabled={busy} onClick={() => retry(d)}>
                        {s.retrySend}
                      </button>
                    </td>
                  </tr>
                )}
              </AdminTable>
            )}
          </WhenLoaded>
        </div>
        <div className="ad-side">
          <ChannelForm
            key={editing?.id ?? 'new'}
            channel={editing ?? undefined}
            s={s}
            onDone={(msg) => {
              setEditing(null);
              if (msg) {
                setErr(null);
                setOk(msg);
              }
              channels.reload();
            }}
          />
        </div>
      </div>
    </section>
  );
}

function summary(c: ChannelView): string {
  if (c.kind === 'smtp') return `${String(c.config.host ?? '')}:${String(c.config.port ?? '')} · ${String(c.config.from ?? '')}`;
  if (c.kind === 'webhook') return String(c.config.url ?? '');
  return '—';
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function ChannelForm({ channel, s, onDone }: { channel?: ChannelView; s: AdminStrings; onDone: (msg: string | null) => void }) {
  const cfg = channel?.config ?? {};
  const [kind, setKind] = useState<Kind>(channel?.kind ?? 'webhook');
  const [name, setName] = useState(channel?.name ?? '');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [host, setHost] = useState(str(cfg.host));
  const [port, setPort] = useState(str(cfg.port ?? 587));
  const [secure, setSecure] = useState(cfg.secure === true);
  const [user, setUser] = useState(str(cfg.user));
  const [password, setPassword] = useState(str(cfg.password));
  const [from, setFrom] = useState(str(cfg.from));
  const [url, setUrl] = useState(str(cfg.url));
  const [secret, setSecret] = useState(str(cfg.secret));
  const [timeoutMs, setTimeoutMs] = useState(str(cfg.timeoutMs));
  const [headers, setHeaders] = useState(cfg.headers ? JSON.stringify(cfg.headers, null, 2) : '');
  const { busy, err, run } = useAction();

  /** The channel's settings as the API takes them; throws when the headers are not a JSON object. */
  function config(): Record<string, unknown> {
    if (kind === 'smtp') {
      const c: Record<string, unknown> = { host: host.trim(), port: Number(port) || 587, secure, from: from.trim() };
      if (user.trim()) c.user = user.trim();
      else if (channel) c.user = null;
      if (password) c.password = password;
      else if (channel) c.password = null;
      return c;
    }
    if (kind === 'webhook') {
      const c: Record<string, unknown> = { url: url.trim() };
      if (secret) c.secret = secret;
      else if (channel) c.secret = null;
      if (timeoutMs.trim()) c.timeoutMs = Number(timeoutMs);
      else if (channel) c.timeoutMs = null;
      if (headers.trim()) {
        try {
          const h: unknown = JSON.parse(headers);
          if (!h || typeof h !== 'object' || Array.isArray(h)) throw new Error();
          c.headers = h;
        } catch {
          throw new Error(s.headersBad);
        }
      } else if (channel) c.headers = null;
      return c;
    }
    return {};
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(async () => {
      const c = config();
      if (channel) await request('PATCH', `/notification-channels/${channel.id}`, { name: name.trim(), enabled, config: c });
      else await request('POST', '/notification-channels', { kind, name: name.trim(), enabled, config: c });
      onDone(s.ntfSaved);
    });
  }

  const isMasked = (v: string) => v === MASK;
  return (
    <form className="card ad-form" onSubmit={submit}>
      <h2>{channel ? `${s.edit}: ${channel.name}` : s.ntfAdd}</h2>
      {!channel && (
        <Select label={s.ntfKind} value={kind} onChange={(v) => setKind(v as Kind)}>
          {(['webhook', 'smtp', 'console'] as const).map((k) => (
            <option key={k} value={k}>
              {s.ntfKinds[k]}
            </option>
          ))}
        </Select>
      )}
      <Input label={s.ntfName} value={name} onChange={setName} required />
      <Check label={s.ntfEnabled} checked={enabled} onChange={setEnabled} />
      {kind === 'smtp' && (
        <>
          <Input label={s.host} value={host} onChange={setHost} required />
          <Input label={s.port} type="number" value={port} onChange={setPort} />
          <Check label={s.secure} checked={secure} onChange={setSecure} />
          <Input label={s.smtpUser} value={user} onChange={setUser} autoComplete="off" />
          <Input label={s.smtpPassword} hint={isMasked(password) ? s.secretHint : undefined} value={password} onChange={setPassword} autoComplete="off" />
          <Input label={s.from} value={from} onChange={setFrom} required placeholder="SatuKota <noreply@kota.go.id>" />
        </>
      )}
      {kind === 'webhook' && (
        <>
          <Input label={s.url} type="url" value={url} onChange={setUrl} required placeholder="https://" />
          <Input label={s.secret} hint={isMasked(secret) ? s.secretHint : undefined} value={secret} onChange={setSecret} autoComplete="off" />
          <Input label={s.timeoutMs} type="number" value={timeoutMs} onChange={setTimeoutMs} />
          <Textarea label={s.headersJson} value={headers} onChange={setHeaders} />
        </>
      )}
      <Msg ok={null} err={err} />
      <div className="ad-buttons">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? s.saving : s.save}
        </button>
        {channel && (
          <button type="button" className="btn btn--secondary" onClick={() => onDone(null)}>
            {s.cancel}
          </button>
        )}
      </div>
    </form>
  );
}
