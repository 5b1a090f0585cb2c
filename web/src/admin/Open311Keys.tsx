// /admin/open311: API keys for other applications (GeoReport v2). A new key is shown once.
import { useState, type FormEvent } from 'react';
import type { Open311Key } from '@api';
import { request } from '../api';
import { Input } from './controls';
import { Msg, useAction, useLoad, WhenLoaded } from '../backoffice';
import { AdminTable, fmtDateTime, SectionHead } from './shared';
import { useAdminStrings } from './strings';

export function Open311Keys() {
  const { s, lang } = useAdminStrings();
  const keys = useLoad<{ keys: Open311Key[] }>('/open311-keys');
  const [name, setName] = useState('');
  const [fresh, setFresh] = useState<{ key: string; name: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const { busy, err, run } = useAction();

  function create(e: FormEvent) {
    e.preventDefault();
    setCopied(false);
    void run(async () => {
      const r = await request<{ key: string; record: Open311Key }>('POST', '/open311-keys', { name: name.trim() });
      setFresh({ key: r.key, name: r.record.name });
      setName('');
      keys.reload();
    });
  }

  async function copy() {
    if (!fresh) return;
    try {
      await navigator.clipboard.writeText(fresh.key);
      setCopied(true);
    } catch {
      // No clipboard permission: select the text so Ctrl+C works.
      const el = document.getElementById('ad-fresh-key');
      if (el) window.getSelection()?.selectAllChildren(el);
    }
  }

  function revoke(k: Open311Key) {
    if (!window.confirm(s.o3RevokeN(k.name) + '?')) return;
    void run(async () => {
      await request('DELETE', '/open311-keys/' + k.id);
      keys.reload();
    });
  }

  return (
    <section className="ad-section">
      <SectionHead title={s.o3Title} lead={s.o3Lead} />
      {fresh && (
        <div className="ad-fresh" role="status">
          <p>
            <strong>{s.o3Shown}</strong> ({fresh.name})
          </p>
          <code id="ad-fresh-key" className="ad-key">
            {fresh.key}
          </code>
          <div className="ad-buttons">
            <button type="button" className="btn btn--primary btn--small" onClick={() => void copy()}>
              {s.o3Copy}
            </button>
            <button type="button" className="btn btn--secondary btn--small" onClick={() => setFresh(null)}>
              {s.o3Dismiss}
            </button>
            {copied && <span className="ad-copied">✓ {s.o3Copied}</span>}
          </div>
        </div>
      )}
      <Msg ok={null} err={err} />
      <div className="ad-two">
        <div>
          <WhenLoaded load={keys} loading={s.loading}>
            {(data) => (
              <AdminTable columns={[s.o3Name, s.colPrefix, s.colCreated, s.colLastUsed, s.colStatus]} actions={s.colActions} items={data.keys} empty={s.o3None}>
                {(k) => (
                  <tr key={k.id} className={k.revokedAt ? 'is-inactive' : undefined}>
                    <td>
                      <strong>{k.name}</strong>
                    </td>
                    <td className="mono">{k.prefix}…</td>
                    <td className="ad-nowrap">{fmtDateTime(k.createdAt, lang)}</td>
                    <td className="ad-nowrap">{k.lastUsedAt ? fmtDateTime(k.lastUsedAt, lang) : s.never}</td>
                    <td>
                      <span className={'ad-badge ' + (k.revokedAt ? 'ad-badge--off' : 'ad-badge--ok')}>{k.revokedAt ? s.o3Revoked : s.active}</span>
                    </td>
                    <td className="ad-actions">
                      {!k.revokedAt && (
                        <button type="button" className="btn btn--secondary btn--small ad-danger" onClick={() => revoke(k)} aria-label={s.o3RevokeN(k.name)}>
                          {s.o3Revoke}
                        </button>
                      )}
                    </td>
                  </tr>
                )}
              </AdminTable>
            )}
          </WhenLoaded>
        </div>
        <form className="card ad-form ad-side" onSubmit={create}>
          <h2>{s.o3Add}</h2>
          <Input label={s.o3Name} value={name} onChange={setName} required />
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? s.saving : s.o3Create}
          </button>
        </form>
      </div>
    </section>
  );
}
