// /admin/wilayah: import kelurahan boundaries (GeoJSON read in the browser) and the list of OPDs.
import { useState, type FormEvent } from 'react';
import type { Agency, BoundaryImportResult } from '@api';
import { request } from '../api';
import { Input, Select, Textarea } from './controls';
import { Msg, useAction, useLoad, WhenLoaded } from '../backoffice';
import { AdminTable, SectionHead } from './shared';
import { useAdminStrings, type AdminStrings } from './strings';

export function Regions() {
  const { s } = useAdminStrings();
  const agencies = useLoad<{ agencies: Agency[] }>('/agencies');
  const [editing, setEditing] = useState<Agency | null>(null);
  const [ok, setOk] = useState<string | null>(null);

  return (
    <section className="ad-section">
      <SectionHead title={s.rgTitle} lead={s.rgLead} />
      <BoundaryImport s={s} />
      <h2 className="ad-h2">{s.agTitle}</h2>
      <Msg ok={ok} err={null} />
      <WhenLoaded load={agencies} loading={s.loading}>
        {(data) => (
          <div className="ad-two">
            <AdminTable columns={[s.colName, s.agKind, s.head]} actions={s.colActions} items={data.agencies}>
              {(a) => (
                <tr key={a.code} className={editing?.code === a.code ? 'is-selected' : undefined}>
                  <td>
                    <strong>{a.shortName}</strong>
                    <span className="ad-sub">{a.name}</span>
                  </td>
                  <td>{s.agKinds[a.kind]}</td>
                  <td>{a.head?.name ?? '—'}</td>
                  <td className="ad-actions">
                    <button type="button" className="btn btn--secondary btn--small" onClick={() => setEditing(a)} aria-label={`${s.edit}: ${a.shortName}`}>
                      {s.edit}
                    </button>
                  </td>
                </tr>
              )}
            </AdminTable>
            <div className="ad-side">
              <AgencyForm
                key={editing?.code ?? 'new'}
                agency={editing ?? undefined}
                s={s}
                onDone={(msg) => {
                  setEditing(null);
                  if (msg) setOk(msg);
                  agencies.reload();
                }}
              />
            </div>
          </div>
        )}
      </WhenLoaded>
    </section>
  );
}

function BoundaryImport({ s }: { s: AdminStrings }) {
  const [file, setFile] = useState<File | null>(null);
  const [codeProperty, setCodeProperty] = useState('');
  const { busy, err, run } = useAction();
  const [result, setResult] = useState<BoundaryImportResult | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setResult(null);
    void run(async () => {
      let geojson: unknown;
      try {
        geojson = JSON.parse(await file.text());
      } catch {
        throw new Error(s.rgBadFile);
      }
      const q = codeProperty.trim() ? '?codeProperty=' + encodeURIComponent(codeProperty.trim()) : '';
      setResult(await request<BoundaryImportResult>('POST', '/regions/boundaries' + q, geojson));
    });
  }

  return (
    <form className="card ad-form" onSubmit={submit}>
      <h2>{s.rgImport}</h2>
      <p className="hint">{s.rgImportHint}</p>
      <div className="ad-grid">
        <div className="bo-field">
          <label htmlFor="ad-geojson">{s.rgFile}</label>
          <input id="ad-geojson" type="file" accept=".geojson,.json,application/geo+json,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        </div>
        <Input label={s.rgCodeProperty} hint={s.rgCodePropertyHint} value={codeProperty} onChange={setCodeProperty} />
      </div>
      <Msg ok={result ? s.rgImported(result.imported) : null} err={err} />
      {result && result.skipped.length > 0 && (
        <div className="alert alert--info" role="status">
          <p>{s.rgSkipped(result.skipped.length)}</p>
          <ul>
            {result.skipped.slice(0, 20).map((k, i) => (
              <li key={i}>
                <span className="mono">{k.code ?? '?'}</span>: {k.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="ad-buttons">
        <button type="submit" className="btn btn--primary" disabled={busy || !file}>
          {busy ? s.saving : s.rgImportButton}
        </button>
      </div>
    </form>
  );
}

function AgencyForm({ agency, s, onDone }: { agency?: Agency; s: AdminStrings; onDone: (msg: string | null) => void }) {
  const [code, setCode] = useState('');
  const [kind, setKind] = useState<string>(agency?.kind ?? 'opd');
  const [name, setName] = useState(agency?.name ?? '');
  const [shortName, setShortName] = useState(agency?.shortName ?? '');
  const [description, setDescription] = useState(agency?.description ?? '');
  const { busy, err, run } = useAction();

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = { kind, name: name.trim(), shortName: shortName.trim(), description: description.trim() || null };
    void run(async () => {
      if (agency) await request('PATCH', '/agencies/' + encodeURIComponent(agency.code), body);
      else await request('POST', '/agencies', { code: code.trim(), ...body });
      onDone(s.saved);
    });
  }

  return (
    <form className="card ad-form" onSubmit={submit}>
      <h2>{agency ? `${s.edit}: ${agency.shortName}` : s.agAdd}</h2>
      {!agency && <Input label={s.code} hint={s.codeHint} value={code} onChange={setCode} required />}
      <Select label={s.agKind} value={kind} onChange={setKind}>
        <option value="opd">{s.agKinds.opd}</option>
        <option value="external">{s.agKinds.external}</option>
      </Select>
      <Input label={s.agShort} value={shortName} onChange={setShortName} required />
      <Input label={s.colName} value={name} onChange={setName} required />
      <Textarea label={s.agDesc} value={description} onChange={setDescription} />
      <Msg ok={null} err={err} />
      <div className="ad-buttons">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? s.saving : s.save}
        </button>
        {agency && (
          <button type="button" className="btn btn--secondary" onClick={() => onDone(null)}>
            {s.cancel}
          </button>
        )}
      </div>
    </form>
  );
}
