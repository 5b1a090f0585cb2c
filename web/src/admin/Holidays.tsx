// /admin/libur: the holidays and cuti bersama of a year, which working-day deadlines skip.
import { useState, type FormEvent } from 'react';
import { request } from '../api';
import { Spinner } from '../ui';
import { Input, Select } from './controls';
import { errorText, fmtDate, Msg, SectionHead, useLoad } from './shared';
import { useAdminStrings } from './strings';

interface Holiday {
  date: string;
  name: string;
  kind: 'public' | 'cuti_bersama';
  source: 'date-holidays' | 'admin';
}

export function Holidays() {
  const { s, lang } = useAdminStrings();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const list = useLoad<{ holidays: Holiday[] }>('/holidays?year=' + year);
  const [date, setDate] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'public' | 'cuti_bersama'>('cuti_bersama');
  const [busy, setBusy] = useState(false);
  const [ok, setOk] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setOk(null);
    setErr(null);
    try {
      await request('PUT', '/holidays/' + encodeURIComponent(date), { name: name.trim(), kind });
      setOk(s.holSaved(fmtDate(date, lang)));
      const y = Number(date.slice(0, 4));
      if (y && y !== year) setYear(y);
      else list.reload();
      setDate('');
      setName('');
    } catch (e2) {
      setErr(errorText(e2));
    } finally {
      setBusy(false);
    }
  }

  async function remove(h: Holiday) {
    if (!window.confirm(s.confirmRemove(`${fmtDate(h.date, lang)} — ${h.name}`))) return;
    setOk(null);
    setErr(null);
    try {
      await request('DELETE', '/holidays/' + encodeURIComponent(h.date));
      setOk(s.holRemoved(fmtDate(h.date, lang)));
      list.reload();
    } catch (e2) {
      setErr(errorText(e2));
    }
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
          {list.error && <Msg ok={null} err={list.error} />}
          {!list.data && !list.error && <Spinner label={s.loading} />}
          {list.data && (
            <div className="ad-table-wrap">
              <table className="ad-table">
                <caption className="visually-hidden">
                  {s.holTitle} {year}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{s.colDate}</th>
                    <th scope="col">{s.colName}</th>
                    <th scope="col">{s.colKind}</th>
                    <th scope="col">{s.colSource}</th>
                    <th scope="col">
                      <span className="visually-hidden">{s.colActions}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.holidays.length === 0 && (
                    <tr>
                      <td colSpan={5} className="muted">
                        {s.holNone}
                      </td>
                    </tr>
                  )}
                  {list.data.holidays.map((h) => (
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
                        <button type="button" className="btn btn--secondary btn--small ad-danger" onClick={() => void remove(h)} aria-label={s.holRemove(h.date)}>
                          {s.remove}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
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
