// /admin/libur: the holidays and cuti bersama of a year, which working-day deadlines skip.
import { useState, type FormEvent } from 'react';
import type { Holiday } from '@api';
import { request } from '../api';
import { Input, Select } from './controls';
import { Msg, useAction, useLoad, WhenLoaded } from '../backoffice';
import { AdminTable, fmtDate, SectionHead } from './shared';
import { useAdminStrings } from './strings';

export function Holidays() {
  const { s, lang } = useAdminStrings();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const list = useLoad<{ holidays: Holiday[] }>('/holidays?year=' + year);
  const [date, setDate] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'public' | 'cuti_bersama'>('cuti_bersama');
  const { busy, ok, err, run, setOk, setErr } = useAction();

  function save(e: FormEvent) {
    e.preventDefault();
    void run(async () => {
      await request('PUT', '/holidays/' + encodeURIComponent(date), { name: name.trim(), kind });
      const y = Number(date.slice(0, 4));
      if (y && y !== year) setYear(y);
      else list.reload();
      setDate('');
      setName('');
      return s.holSaved(fmtDate(date, lang));
    });
  }

  function remove(h: Holiday) {
    if (!window.confirm(s.confirmRemove(`${fmtDate(h.date, lang)} — ${h.name}`))) return;
    void run(async () => {
      await request('DELETE', '/holidays/' + encodeURIComponent(h.date));
      list.reload();
      return s.holRemoved(fmtDate(h.date, lang));
    });
  }

  function edit(h: Holiday) {
    setDate(h.date);
    setName(h.name);
    setKind(h.kind);
    setOk(null);
    setErr(null);
    document.getElementById('ad-hol-form')?.querySelector('input')?.focus();
  }

  return (
    <section className="ad-section">
      <SectionHead title={s.holTitle} lead={s.holLead}>
        <div className="ad-year" role="group" aria-label={s.year}>
          <button type="button" className="btn btn--secondary btn--small" onClick={() => setYear((y) => y - 1)} aria-label={s.prevYear}>
            ‹
          </button>
          <span className="ad-year-n" aria-live="polite">
            {s.year} {year}
          </span>
          <button type="button" className="btn btn--secondary btn--small" onClick={() => setYear((y) => y + 1)} aria-label={s.nextYear}>
            ›
          </button>
        </div>
      </SectionHead>
      <div className="ad-two">
        <div>
          <WhenLoaded load={list} loading={s.loading}>
            {({ holidays }) => (
              <AdminTable columns={[s.colDate, s.colName, s.colKind, s.colSource]} actions={s.colActions} items={holidays} empty={s.holNone} caption={`${s.holTitle} ${year}`}>
                {(h) => (
                  <tr key={h.date}>
                    <td className="ad-nowrap">
                      <time dateTime={h.date}>{fmtDate(h.date, lang)}</time>
                    </td>
                    <td>{h.name}</td>
                    <td>
                      <span className={'ad-badge ' + (h.kind === 'cuti_bersama' ? 'ad-badge--cuti' : 'ad-badge--public')}>{s.kinds[h.kind]}</span>
                    </td>
                    <td className="muted">{s.sources[h.source]}</td>
                    <td className="ad-actions">
                      <button type="button" className="btn btn--secondary btn--small" onClick={() => edit(h)} aria-label={s.holEdit(h.date)}>
                        {s.edit}
                      </button>
                      <button type="button" className="btn btn--secondary btn--small ad-danger" onClick={() => remove(h)} aria-label={s.holRemove(h.date)}>
                        {s.remove}
                      </button>
                    </td>
                  </tr>
                )}
              </AdminTable>
            )}
          </WhenLoaded>
        </div>
        <form id="ad-hol-form" className="card ad-form ad-side" onSubmit={save}>
          <h2>{s.holAdd}</h2>
          <Input label={s.holDate} type="date" value={date} onChange={setDate} required />
          <Input label={s.holName} value={name} onChange={setName} required />
          <Select label={s.holKind} value={kind} onChange={(v) => setKind(v as 'public' | 'cuti_bersama')}>
            <option value="cuti_bersama">{s.kinds.cuti_bersama}</option>
            <option value="public">{s.kinds.public}</option>
          </Select>
          <Msg ok={ok} err={err} />
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? s.saving : s.save}
          </button>
        </form>
      </div>
    </section>
  );
}
