// The command center: one dark full-screen page for the video wall (1920×1080, no scrolling) with the
// city's KPIs, the OPD league table, the kecamatan table, a live map, the latest reports (server-sent
// events) and a 30-day trend.
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import type { AgencyFigures, KecamatanFigures, ReportView, TrendDay } from '@api';
import { ApiError, request, type City } from '../api';
import { setLang, useI18n } from '../i18n';
import { useLiveEvents, type LiveReport } from '../live';
import { useSession } from '../session';
import { CommandMap } from './CommandMap';
import type { LivePoint } from './layers';
import { loadDashboard, loadTrend, worstFirst, type Dashboard } from './data';
import { useCommandStrings, type CommandStrings } from './strings';
import './command.css';

// echarts is the heaviest part: loaded beside the rest, so the figures and the map do not wait for it.
const TrendChart = lazy(() => import('./TrendChart').then((m) => ({ default: m.TrendChart })));

const COMMAND_ROLES = ['command', 'coordinator', 'pimpinan', 'admin', 'officer'];
const MAX_LIVE = 30;
/** Everything is reloaded at most once a second however many events arrive, and every minute anyway (deadlines pass). */
const DEBOUNCE_MS = 1000;
const PERIODIC_MS = 60_000;
/** How long a report that arrived live is marked new. */
const FRESH_MS = 60_000;

export default function CommandCenter() {
  const { city, me } = useSession();
  const s = useCommandStrings();

  useEffect(() => {
    document.title = `${s.title} · SatuKota`;
  }, [s]);

  if (me === undefined || (me && !city)) {
    return (
      <main className="cc cc-gate" aria-busy="true">
        <p>{s.loading}</p>
      </main>
    );
  }
  if (!me || !COMMAND_ROLES.includes(me.role)) {
    return (
      <main className="cc cc-gate">
        <div className="cc-gate-box">
          <h1>{s.gateTitle}</h1>
          <p>{me ? s.gateWrongRole : s.gateBody}</p>
          <a className="cc-button" href="/masuk?next=/command">
            {s.gateLogin}
          </a>
        </div>
      </main>
    );
  }
  return <Board city={city!} s={s} />;
}

interface LiveItem {
  id: string;
  trackingNo: string;
  category: string;
  kelurahan: string | null;
  status: string;
  statusName: string;
  emergency: boolean;
  overdue: boolean;
  submittedAt: string;
  fresh: boolean;
}

function toItem(r: LiveReport, fresh: boolean): LiveItem {
  const officer = 'emergency' in r;
  return {
    id: r.id,
    trackingNo: r.trackingNo,
    category: r.category.name,
    kelurahan: r.kelurahan?.name ?? null,
    status: r.status,
    statusName: r.statusName,
    emergency: officer ? r.emergency : false,
    overdue: officer ? Boolean(r.due?.overdue) : false,
    submittedAt: r.submittedAt,
    fresh,
  };
}

function Board({ city, s }: { city: City; s: CommandStrings }) {
  const { refreshMe } = useSession();
  const [dash, setDash] = useState<Dashboard | null>(null);
  const [trend, setTrend] = useState<TrendDay[]>([]);
  const [failed, setFailed] = useState(false);
  const [items, setItems] = useState<LiveItem[]>([]);
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState<LivePoint | null>(null);
  const debounce = useRef<number | undefined>(undefined);
  /** Every report id seen (list or stream), to tell a new report from a change. */
  const known = useRef(new Set<string>());
  const mounted = useRef(false);

  // Figures, tables and trend: on load, on every `tick`.
  useEffect(() => {
    let alive = true;
    loadDashboard(city.timezone).then(
      (d) => {
        if (!alive) return;
        setDash(d);
        setFailed(false);
      },
      (e: unknown) => {
        if (!alive) return;
        setFailed(true);
        // The session ended (expired, logged out elsewhere): back to the login gate.
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) refreshMe();
      },
    );
    loadTrend().then(
      (t) => alive && setTrend(t),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [city.timezone, tick, refreshMe]);

  const scheduleRefresh = useCallback(() => {
    window.clearTimeout(debounce.current);
    debounce.current = window.setTimeout(() => setTick((n) => n + 1), DEBOUNCE_MS);
  }, []);

  useEffect(() => {
    const id = window.setInterval(() => setTick((n) => n + 1), PERIODIC_MS);
    return () => {
      window.clearInterval(id);
      window.clearTimeout(debounce.current);
    };
  }, []);

  // The latest reports: on load, and after the live stream was down.
  const loadLatest = useCallback(
    () =>
      request<{ reports: ReportView[] }>('GET', `/reports?sort=newest&limit=${MAX_LIVE}`).then(
        (r) => {
          if (!mounted.current) return;
          r.reports.forEach((x) => known.current.add(x.id));
          setItems((current) => {
            // Merged with what arrived live meanwhile, newest first.
            const byId = new Map(current.map((i) => [i.id, i]));
            for (const x of r.reports) byId.set(x.id, { ...toItem(x, false), fresh: byId.get(x.id)?.fresh ?? false });
            return [...byId.values()].sort((a, b) => b.submittedAt.localeCompare(a.submittedAt)).slice(0, MAX_LIVE);
          });
        },
        () => undefined,
      ),
    [],
  );
  useEffect(() => {
    mounted.current = true;
    void loadLatest();
    return () => {
      mounted.current = false;
    };
  }, [loadLatest]);

  const connected = useLiveEvents({
    onReport: (report) => {
      const isNew = !known.current.has(report.id);
      known.current.add(report.id);
      if (report.location) {
        setLive({ id: report.id, trackingNo: report.trackingNo, ...report.location, emergency: 'emergency' in report && report.emergency, isNew });
      }
      setItems((current) => {
        const existing = current.find((i) => i.id === report.id);
        if (!existing) window.setTimeout(() => setItems((cur) => cur.map((i) => (i.id === report.id ? { ...i, fresh: false } : i))), FRESH_MS);
        const item = toItem(report, !existing);
        // A new report goes on top; a change keeps its place.
        if (existing) return current.map((i) => (i.id === report.id ? { ...item, fresh: i.fresh } : i));
        return [item, ...current].slice(0, MAX_LIVE);
      });
      scheduleRefresh();
    },
    // Catch up with what happened while the stream was down.
    onReconnect: () => {
      void loadLatest();
      scheduleRefresh();
    },
  });

  return (
    <main className="cc" id="main">
      <header className="cc-header">
        <div className="cc-brand">
          <svg className="cc-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="7" fill="#14b8a6" />
            <path d="M8 24V13l8-6 8 6v11h-5v-6h-6v6z" fill="#fff" />
          </svg>
          <h1>
            {s.title} <span className="cc-city">{city.name}</span>
          </h1>
        </div>
        <div className="cc-header-right">
          <span className={`cc-status ${connected ? 'cc-status-on' : ''}`} role="status">
            <span className="cc-status-dot" aria-hidden="true" />
            {connected ? s.live : s.offline}
          </span>
          <Clock timezone={city.timezone} label={s.clockLabel} />
          <LangButton s={s} />
          <FullscreenButton s={s} />
        </div>
      </header>

      {failed && !dash && <p className="cc-error" role="alert">{s.loadError}</p>}

      <Kpis dash={dash} s={s} />

      <section className="cc-panel cc-map-panel" aria-labelledby="cc-map-h">
        <h2 id="cc-map-h">{s.map}</h2>
        <CommandMap city={city} strings={s} refreshKey={tick} live={live} />
      </section>

      <section className="cc-panel cc-agencies" aria-labelledby="cc-agencies-h">
        <h2 id="cc-agencies-h">
          {s.agencies} <small>{s.last30}</small>
        </h2>
        <AgencyTable dash={dash} s={s} />
      </section>

      <section className="cc-panel cc-kecamatan" aria-labelledby="cc-kec-h">
        <h2 id="cc-kec-h">
          {s.kecamatan} <small>{s.last30}</small>
        </h2>
        <KecamatanTable dash={dash} s={s} />
      </section>

      <section className="cc-panel cc-live" aria-labelledby="cc-live-h">
        <h2 id="cc-live-h">{s.latest}</h2>
        <LiveList items={items} timezone={city.timezone} s={s} />
      </section>

      <section className="cc-panel cc-trend" aria-labelledby="cc-trend-h">
        <h2 id="cc-trend-h">{s.trend}</h2>
        <Suspense fallback={<p className="cc-muted">{s.loading}</p>}>
          <TrendChart days={trend} timezone={city.timezone} strings={s} />
        </Suspense>
      </section>
    </main>
  );
}

const num = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString('id-ID'));
const pct = (share: number | null | undefined) => (share === null || share === undefined ? '–' : `${Math.round(share * 100)}%`);

function Kpis({ dash, s }: { dash: Dashboard | null; s: CommandStrings }) {
  const t = dash?.today;
  const m = dash?.month;
  const median = m?.medianHoursToResolve;
  const tiles: { key: string; label: string; value: string; unit?: string; tone?: string; note?: string }[] = [
    { key: 'new', label: s.kpiNewToday, value: num(t?.new) },
    { key: 'open', label: s.kpiOpen, value: num(t?.open), tone: 'amber' },
    { key: 'overdue', label: s.kpiOverdue, value: num(t?.overdue), tone: t && t.overdue > 0 ? 'red' : undefined },
    { key: 'emergency', label: s.kpiEmergency, value: num(t?.emergencyOpen), tone: t && t.emergencyOpen > 0 ? 'red' : undefined },
    { key: 'within', label: s.kpiWithin, value: pct(m?.resolvedWithinDeadline), tone: 'green', note: s.last30 },
    {
      key: 'median',
      label: s.kpiMedian,
      value: median === null || median === undefined ? '–' : median.toLocaleString('id-ID', { maximumFractionDigits: 1 }),
      unit: median === null || median === undefined ? undefined : s.hours,
      note: s.last30,
    },
  ];
  return (
    <dl className="cc-kpis" aria-busy={!dash}>
      {tiles.map((k) => (
        <div key={k.key} className={`cc-kpi ${k.tone ? `cc-kpi-${k.tone}` : ''}`} data-kpi={k.key}>
          <dt>
            {k.label}
            {k.note && <span className="cc-kpi-note">{k.note}</span>}
          </dt>
          <dd>
            <span className="cc-kpi-value">{k.value}</span>
            {k.unit && <span className="cc-kpi-unit"> {k.unit}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

type FiguresRow = AgencyFigures | KecamatanFigures;
type FiguresColumn = 'new' | 'open' | 'overdue' | 'escalated' | 'within';

/** A table of units (OPD or kecamatan), one row each, with the chosen figures as columns. */
function FiguresTable({ rows, nameHeader, nameOf, columns, s }: { rows: FiguresRow[]; nameHeader: string; nameOf: (r: FiguresRow) => string; columns: FiguresColumn[]; s: CommandStrings }) {
  const header: Record<FiguresColumn, string> = { new: s.colNew, open: s.colOpen, overdue: s.colOverdue, escalated: s.colEscalated, within: s.colWithin };
  const cell = (r: FiguresRow, c: FiguresColumn) => {
    switch (c) {
      case 'new':
        return <td key={c}>{num(r.new)}</td>;
      case 'open':
        return <td key={c}>{num(r.open)}</td>;
      case 'overdue':
        return <td key={c} className={r.overdue > 0 ? 'cc-red' : undefined}>{num(r.overdue)}</td>;
      case 'escalated':
        return <td key={c} className={r.escalated > 0 ? 'cc-amber' : undefined}>{num(r.escalated)}</td>;
      case 'within':
        return (
          <td key={c}>
            <Share value={r.resolvedWithinDeadline} />
          </td>
        );
    }
  };
  return (
    <table className="cc-table">
      <thead>
        <tr>
          <th scope="col">{nameHeader}</th>
          {columns.map((c) => (
            <th key={c} scope="col">
              {header[c]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.code ?? 'none'}>
            <th scope="row">{nameOf(r)}</th>
            {columns.map((c) => cell(r, c))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AgencyTable({ dash, s }: { dash: Dashboard | null; s: CommandStrings }) {
  if (!dash) return <p className="cc-muted">{s.loading}</p>;
  return <FiguresTable rows={worstFirst(dash.agencies).slice(0, 9)} nameHeader={s.colAgency} nameOf={(r) => r.name} columns={['open', 'overdue', 'escalated', 'within']} s={s} />;
}

function KecamatanTable({ dash, s }: { dash: Dashboard | null; s: CommandStrings }) {
  if (!dash) return <p className="cc-muted">{s.loading}</p>;
  return (
    <FiguresTable rows={dash.kecamatan.slice(0, 10)} nameHeader={s.colKecamatan} nameOf={(r) => (r.code ? r.name : s.unmapped)} columns={['new', 'open', 'overdue', 'within']} s={s} />
  );
}

function Share({ value }: { value: number | null }) {
  if (value === null) return <span className="cc-muted">–</span>;
  const tone = value >= 0.8 ? 'green' : value >= 0.5 ? 'amber' : 'red';
  return (
    <span className="cc-share">
      <span className="cc-bar" aria-hidden="true">
        <span className={`cc-bar-fill cc-bg-${tone}`} style={{ width: `${Math.round(value * 100)}%` }} />
      </span>
      {pct(value)}
    </span>
  );
}

/** Shows as many whole rows as the panel holds (the wall never scrolls, and no row is cut in half). */
function useFit(rowSelector: string) {
  const ref = useRef<HTMLOListElement>(null);
  const [fit, setFit] = useState(MAX_LIVE);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const row = el.querySelector<HTMLElement>(rowSelector);
      if (!row || row.offsetHeight === 0) return;
      setFit(Math.max(1, Math.floor(el.clientHeight / row.offsetHeight)));
    };
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  });
  return { ref, fit };
}

function LiveList({ items, timezone, s }: { items: LiveItem[]; timezone: string; s: CommandStrings }) {
  const { lang } = useI18n();
  const locale = lang === 'en' ? 'en-GB' : 'id-ID';
  const fmt = new Intl.DateTimeFormat(locale, { timeZone: timezone, hour: '2-digit', minute: '2-digit', hour12: false });
  const dayFmt = new Intl.DateTimeFormat(locale, { timeZone: timezone, day: 'numeric', month: 'short' });
  const dayKey = new Intl.DateTimeFormat('en-CA', { timeZone: timezone });
  const today = dayKey.format(new Date());
  const { ref, fit } = useFit('.cc-live-item');
  return (
    <ol className="cc-live-list" aria-live="polite" aria-relevant="additions" ref={ref}>
      {items.length === 0 && <li className="cc-muted">{s.noReports}</li>}
      {items.slice(0, fit).map((i) => (
        <li key={i.id} className={`cc-live-item ${i.emergency ? 'cc-live-emergency' : ''} ${i.fresh ? 'cc-live-fresh' : ''}`} data-tracking={i.trackingNo}>
          <span className="cc-live-time">
            <time dateTime={i.submittedAt}>{fmt.format(new Date(i.submittedAt))}</time>
            {dayKey.format(new Date(i.submittedAt)) !== today && <span className="cc-live-day">{dayFmt.format(new Date(i.submittedAt))}</span>}
          </span>
          <span className="cc-live-main">
            <span className="cc-live-no">{i.trackingNo}</span>
            <span className="cc-live-what">
              {i.fresh && <span className="cc-badge-new">{s.fresh}</span>}
              {i.emergency && <span className="cc-badge-emergency">{s.emergency}</span>} {i.category}
              {i.kelurahan && <span className="cc-muted"> · {i.kelurahan}</span>}
            </span>
          </span>
          <span className={`cc-live-status cc-st-${i.overdue ? 'overdue' : i.status}`}>{i.statusName}</span>
        </li>
      ))}
    </ol>
  );
}

function Clock({ timezone, label }: { timezone: string; label: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = window.setInterval(() => setNow(new Date()), 1000);
    return () => window.clearInterval(id);
  }, []);
  const time = new Intl.DateTimeFormat('id-ID', { timeZone: timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(now);
  const date = new Intl.DateTimeFormat('id-ID', { timeZone: timezone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(now);
  const zone = new Intl.DateTimeFormat('id-ID', { timeZone: timezone, timeZoneName: 'short' }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return (
    <div className="cc-clock" role="group" aria-label={label}>
      <time className="cc-clock-time" dateTime={now.toISOString()}>
        {time.replace(/\./g, ':')} <span className="cc-clock-zone">{zone}</span>
      </time>
      <span className="cc-clock-date">{date}</span>
    </div>
  );
}

function FullscreenButton({ s }: { s: CommandStrings }) {
  const [full, setFull] = useState(() => Boolean(document.fullscreenElement));
  useEffect(() => {
    const on = () => setFull(Boolean(document.fullscreenElement));
    document.addEventListener('fullscreenchange', on);
    return () => document.removeEventListener('fullscreenchange', on);
  }, []);
  if (!document.fullscreenEnabled) return null;
  const toggle = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void document.documentElement.requestFullscreen().catch(() => undefined);
  };
  return (
    <button type="button" className="cc-button cc-fs" onClick={toggle} aria-pressed={full}>
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
        {full ? (
          <path d="M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5" fill="none" stroke="currentColor" strokeWidth="2" />
        ) : (
          <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" fill="none" stroke="currentColor" strokeWidth="2" />
        )}
      </svg>
      {full ? s.exitFullscreen : s.fullscreen}
    </button>
  );
}

function LangButton({ s }: { s: CommandStrings }) {
  const { lang } = useI18n();
  const other = lang === 'id' ? 'en' : 'id';
  return (
    <button type="button" className="cc-button" lang={other} aria-label={s.switchLangLabel} onClick={() => setLang(other)}>
      {s.switchLang}
    </button>
  );
}
