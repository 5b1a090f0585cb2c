// The inbox: reports in scope by deadline, with filters kept in the URL, cursor pagination, export
// links for the current filter, and disposisi of several reports at once.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { ReportView } from '@api';
import { ApiError, request } from '../api';
import { isOfficerView, useLiveEvents } from '../live';
import { Link, navigate, useLocation } from '../router';
import { Alert, PageTitle, Spinner } from '../ui';
import { Badges, formatDateTime, StatusPill, useAgencies, useCategories, useKecamatan } from './shared';
import { useSession } from '../session';
import { useOfficerStrings, type OfficerStrings } from './strings';

const FILTER_KEYS = ['mine', 'status', 'category', 'kecamatan', 'kelurahan', 'overdue', 'escalated', 'q'] as const;
const STATUSES = ['submitted', 'verified', 'dispatched', 'in_progress', 'resolved', 'closed', 'rejected', 'merged'];
const OPEN = 'submitted,verified,dispatched,in_progress';
const PAGE = 25;

type Page = { reports: ReportView[]; nextCursor: string | null };

/** The list filters from the URL, in a stable order (also the export's query). */
function filtersOf(query: URLSearchParams): URLSearchParams {
  const f = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = query.get(k);
    if (v) f.set(k, v);
  }
  return f;
}

export function Inbox() {
  const { s, lang } = useOfficerStrings();
  const { city, me } = useSession();
  const { query } = useLocation();
  const filters = filtersOf(query);
  const filterKey = filters.toString();

  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [reloadTick, setReloadTick] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkResults, setBulkResults] = useState<Map<string, Result> | null>(null);
  // Reports in scope that arrived or changed live but are not in the list: offered, not inserted, so the
  // rows do not jump under the officer's pointer.
  const [arrived, setArrived] = useState<ReadonlySet<string>>(new Set());

  const live = useLiveEvents({
    onReport: (report) => {
      if (!isOfficerView(report)) return;
      if (page?.reports.some((r) => r.id === report.id)) setPage((p) => p && { ...p, reports: p.reports.map((r) => (r.id === report.id ? report : r)) });
      else setArrived((a) => new Set(a).add(report.id));
    },
    onReconnect: () => setReloadTick((n) => n + 1),
  });

  useEffect(() => {
    let alive = true;
    setError(null);
    setArrived(new Set());
    const q = new URLSearchParams(filterKey);
    q.set('sort', 'due');
    q.set('limit', String(PAGE));
    request<Page>('GET', `/reports?${q}`).then(
      (p) => {
        if (!alive) return;
        setPage(p);
        // What arrived while this page was being fetched may be in it already.
        setArrived((a) => new Set([...a].filter((id) => !p.reports.some((r) => r.id === id))));
        setSelected((sel) => new Set([...sel].filter((no) => p.reports.some((r) => r.trackingNo === no && r.actions.includes('dispatch')))));
      },
      (e: unknown) => alive && setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e))),
    );
    return () => {
      alive = false;
    };
  }, [filterKey, lang, reloadTick]);

  async function loadMore() {
    if (!page?.nextCursor) return;
    setLoadingMore(true);
    const q = new URLSearchParams(filterKey);
    q.set('sort', 'due');
    q.set('limit', String(PAGE));
    q.set('cursor', page.nextCursor);
    try {
      const next = await request<Page>('GET', `/reports?${q}`);
      setPage((p) => ({ reports: [...(p?.reports ?? []), ...next.reports], nextCursor: next.nextCursor }));
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)));
    } finally {
      setLoadingMore(false);
    }
  }

  function setFilter(key: (typeof FILTER_KEYS)[number], value: string) {
    const f = filtersOf(query);
    if (value) f.set(key, value);
    else f.delete(key);
    if (key === 'kecamatan') f.delete('kelurahan');
    const qs = f.toString();
    navigate(`/petugas${qs ? `?${qs}` : ''}`, { replace: true });
  }

  const dispatchable = useMemo(() => (page?.reports ?? []).filter((r) => r.actions.includes('dispatch')), [page]);
  const toggle = (no: string) =>
    setSelected((sel) => {
      const next = new Set(sel);
      if (next.has(no)) next.delete(no);
      else next.add(no);
      return next;
    });
  const allSelected = dispatchable.length > 0 && dispatchable.every((r) => selected.has(r.trackingNo));

  const exportQuery = filterKey ? `?${filterKey}` : '';

  return (
    <div className="of-page bo">
      <div className="of-head">
        <div>
          <PageTitle title={s.inboxTitle}>{s.inboxTitle}</PageTitle>
          <p className="muted of-lead">
            {s.inboxLead}{' '}
            <span className={'of-live' + (live ? ' is-on' : '')}>{live ? s.liveOn : s.liveOff}</span>
          </p>
        </div>
        {me?.role === 'coordinator' && (
          <Link to="/petugas/klaim-nik" className="btn btn--secondary btn--small">
            {s.claimsLink}
          </Link>
        )}
        <div className="of-export" role="group" aria-label={s.exportLabel}>
          <a className="btn btn--secondary btn--small" href={`/api/v1/reports/export.csv${exportQuery}`} download>
            {s.exportCsv}
          </a>
          <a className="btn btn--secondary btn--small" href={`/api/v1/reports/export.xlsx${exportQuery}`} download>
            {s.exportXlsx}
          </a>
        </div>
      </div>

      <Filters s={s} query={query} setFilter={setFilter} />

      {(selected.size > 0 || bulkResults) && (
        <BulkDispatch
          s={s}
          reports={dispatchable.filter((r) => selected.has(r.trackingNo))}
          results={bulkResults}
          setResults={setBulkResults}
          onClear={() => {
            setSelected(new Set());
            setBulkResults(null);
          }}
          onDone={() => setReloadTick((n) => n + 1)}
        />
      )}

      {error && (
        <Alert>
          <p>{error.message}</p>
          <button type="button" className="btn btn--secondary btn--small" onClick={() => setReloadTick((n) => n + 1)}>
            {s.retry}
          </button>
        </Alert>
      )}
      {arrived.size > 0 && (
        <div className="of-arrived alert alert--info" role="status">
          <span>{s.arrived(arrived.size)}</span>
          <button type="button" className="btn btn--secondary btn--small" onClick={() => setReloadTick((n) => n + 1)}>
            {s.showArrived}
          </button>
        </div>
      )}
      {!page && !error && <Spinner label={s.loading} />}
      {page && page.reports.length === 0 && <p className="of-empty card">{s.none}</p>}
      {page && page.reports.length > 0 && (
        <>
          <div className="bo-table-wrap">
            <table className="bo-table bo-table--cards">
              <caption className="visually-hidden">{s.inboxTitle}</caption>
              <thead>
                <tr>
                  <th scope="col" className="of-col-select">
                    {dispatchable.length > 0 ? (
                      <input
                        type="checkbox"
                        aria-label={s.selectAll}
                        title={s.selectAll}
                        checked={allSelected}
                        onChange={() => setSelected(allSelected ? new Set() : new Set(dispatchable.map((r) => r.trackingNo)))}
                      />
                    ) : (
                      <span className="visually-hidden">{s.colSelect}</span>
                    )}
                  </th>
                  <th scope="col">{s.colReport}</th>
                  <th scope="col">{s.colLocation}</th>
                  <th scope="col">{s.colStatus}</th>
                  <th scope="col" className="of-col-handler">
                    {s.colHandler}
                  </th>
                  <th scope="col">{s.colDue}</th>
                </tr>
              </thead>
              <tbody>
                {page.reports.map((r) => (
                  <tr key={r.id} className={selected.has(r.trackingNo) ? 'is-selected' : undefined}>
                    <td className="of-col-select">
                      {r.actions.includes('dispatch') && (
                        <input type="checkbox" aria-label={s.selectReport(r.trackingNo)} checked={selected.has(r.trackingNo)} onChange={() => toggle(r.trackingNo)} />
                      )}
                    </td>
                    <td>
                      <Link to={`/petugas/laporan/${encodeURIComponent(r.trackingNo)}`} className="of-tracking mono">
                        {r.trackingNo}
                      </Link>
                      <span className="of-cat">{r.category.name}</span>
                      <Badges report={r} s={s} />
                    </td>
                    <td data-label={s.colLocation}>
                      {r.kelurahan ? (
                        <>
                          {r.kelurahan.name}
                          {r.kecamatan && <span className="of-sub">{r.kecamatan.name}</span>}
                        </>
                      ) : (
                        <span className="muted">{s.noLocation}</span>
                      )}
                    </td>
                    <td data-label={s.colStatus}>
                      <StatusPill status={r.status} name={r.statusName} />
                    </td>
                    <td className="of-col-handler" data-label={s.colHandler}>
                      {r.handler.name}
                    </td>
                    <td className={r.due?.overdue ? 'of-due of-due--late' : 'of-due'} data-label={s.colDue}>
                      {r.due ? (
                        <time dateTime={r.due.at} title={r.due.text}>
                          {formatDateTime(r.due.at, lang, city?.timezone)}
                        </time>
                      ) : (
                        s.noDue
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="of-more">
            <p className="muted" aria-live="polite">
              {s.shown(page.reports.length)}
            </p>
            {page.nextCursor && (
              <button type="button" className="btn btn--secondary" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? s.loading : s.loadMore}
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}

function Filters({ s, query, setFilter }: { s: OfficerStrings; query: URLSearchParams; setFilter: (k: (typeof FILTER_KEYS)[number], v: string) => void }) {
  const id = useId();
  const categories = useCategories();
  const kecamatan = useKecamatan();
  const { lang } = useOfficerStrings();
  const [q, setQ] = useState(query.get('q') ?? '');
  const kec = query.get('kecamatan') ?? '';
  const kelurahan = kecamatan.find((k) => k.code === kec)?.children ?? kecamatan.flatMap((k) => k.children ?? []);
  const hasFilters = FILTER_KEYS.some((k) => query.get(k));

  function search(e: FormEvent) {
    e.preventDefault();
    setFilter('q', q.trim());
  }

  return (
    <section className="of-filters card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="visually-hidden">
        {s.filters}
      </h2>
      <div className="of-filter-top">
        <label className="of-toggle">
          <input type="checkbox" checked={query.get('mine') === 'true'} onChange={(e) => setFilter('mine', e.target.checked ? 'true' : '')} />
          <span>
            {s.onlyMine}
            <span className="of-sub">{s.onlyMineHint}</span>
          </span>
        </label>
        <form className="of-search" role="search" onSubmit={search}>
          <label htmlFor={`${id}-q`} className="visually-hidden">
            {s.search}
          </label>
          <input id={`${id}-q`} type="search" value={q} placeholder={s.searchHint} onChange={(e) => setQ(e.target.value)} aria-label={s.search} />
          <button type="submit" className="btn btn--primary btn--small">
            {s.searchButton}
          </button>
        </form>
      </div>
      <div className="of-filter-grid">
        <div className="bo-field of-field">
          <label htmlFor={`${id}-status`}>{s.status}</label>
          <select id={`${id}-status`} value={query.get('status') ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">{s.anyStatus}</option>
            <option value={OPEN}>{s.openStatuses}</option>
            {STATUSES.map((st) => (
              <option key={st} value={st}>
                {s.statusNames[st]}
              </option>
            ))}
          </select>
        </div>
        <div className="bo-field of-field">
          <label htmlFor={`${id}-cat`}>{s.category}</label>
          <select id={`${id}-cat`} value={query.get('category') ?? ''} onChange={(e) => setFilter('category', e.target.value)}>
            <option value="">{s.anyCategory}</option>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name[lang]}
              </option>
            ))}
          </select>
        </div>
        <div className="bo-field of-field">
          <label htmlFor={`${id}-kec`}>{s.kecamatan}</label>
          <select id={`${id}-kec`} value={kec} onChange={(e) => setFilter('kecamatan', e.target.value)}>
            <option value="">{s.anyKecamatan}</option>
            {kecamatan.map((k) => (
              <option key={k.code} value={k.code}>
                {k.name}
              </option>
            ))}
          </select>
        </div>
        <div className="bo-field of-field">
          <label htmlFor={`${id}-kel`}>{s.kelurahan}</label>
          <select id={`${id}-kel`} value={query.get('kelurahan') ?? ''} onChange={(e) => setFilter('kelurahan', e.target.value)}>
            <option value="">{s.anyKelurahan}</option>
            {kelurahan.map((k) => (
              <option key={k.code} value={k.code}>
                {k.name}
              </option>
            ))}
          </select>
        </div>
        <div className="of-checks">
          <label className="of-check">
            <input type="checkbox" checked={query.get('overdue') === 'true'} onChange={(e) => setFilter('overdue', e.target.checked ? 'true' : '')} />
            {s.onlyOverdue}
          </label>
          <label className="of-check">
            <input type="checkbox" checked={query.get('escalated') === 'true'} onChange={(e) => setFilter('escalated', e.target.checked ? 'true' : '')} />
            {s.onlyEscalated}
          </label>
        </div>
      </div>
      {hasFilters && (
        <button
          type="button"
          className="link-button of-reset"
          onClick={() => {
            setQ('');
            navigate('/petugas', { replace: true });
          }}
        >
          {s.resetFilters}
        </button>
      )}
    </section>
  );
}

type Result = { ok: true } | { ok: false; message: string };

function BulkDispatch({
  s,
  reports,
  results,
  setResults,
  onClear,
  onDone,
}: {
  s: OfficerStrings;
  reports: ReportView[];
  results: Map<string, Result> | null;
  setResults: (r: Map<string, Result> | null) => void;
  onClear: () => void;
  onDone: () => void;
}) {
  const id = useId();
  const agencies = useAgencies();
  const [agency, setAgency] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  async function send(e: FormEvent) {
    e.preventDefault();
    if (!agency) {
      setFormError(s.chooseUnit);
      return;
    }
    setFormError(null);
    setBusy(true);
    setResults(new Map());
    const out = new Map<string, Result>();
    for (const r of reports) {
      try {
        await request('POST', `/reports/${encodeURIComponent(r.trackingNo)}/actions/dispatch`, { target: { kind: 'opd', code: agency }, note: note.trim() || undefined });
        out.set(r.trackingNo, { ok: true });
      } catch (err) {
        out.set(r.trackingNo, { ok: false, message: err instanceof Error ? err.message : String(err) });
      }
      setResults(new Map(out));
    }
    setBusy(false);
    onDone();
  }

  const okCount = results ? [...results.values()].filter((r) => r.ok).length : 0;
  return (
    <section className="of-bulk card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{s.bulkTitle(reports.length || results?.size || 0)}</h2>
      {reports.length > 0 && (
      <form onSubmit={send} className="of-bulk-form">
        <div className="bo-field of-field">
          <label htmlFor={`${id}-opd`}>{s.kindOpd}</label>
          <select id={`${id}-opd`} value={agency} onChange={(e) => setAgency(e.target.value)} aria-invalid={formError ? true : undefined}>
            <option value="">{s.chooseUnit}</option>
            {agencies.map((a) => (
              <option key={a.code} value={a.code}>
                {a.shortName} — {a.name}
              </option>
            ))}
          </select>
        </div>
        <div className="bo-field of-field of-grow">
          <label htmlFor={`${id}-note`}>{s.instructionLabel}</label>
          <textarea id={`${id}-note`} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <div className="of-bulk-buttons">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? s.bulkBusy : s.bulkSend(reports.length)}
          </button>
          <button type="button" className="btn btn--secondary" onClick={onClear} disabled={busy}>
            {s.clearSelection}
          </button>
        </div>
      </form>
      )}
      {formError && <p className="field-error">{formError}</p>}
      {results && (
        <div className="of-bulk-results" role="status">
          {!busy && <p>{s.bulkDone(okCount, results.size)}</p>}
          <ul>
            {[...results].map(([no, r]) => (
              <li key={no} className={r.ok ? 'is-ok' : 'is-error'}>
                <span className="mono">{no}</span>: {r.ok ? s.bulkOk : r.message}
              </li>
            ))}
          </ul>
          {!busy && reports.length === 0 && (
            <button type="button" className="btn btn--secondary btn--small" onClick={onClear}>
              {s.close}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
