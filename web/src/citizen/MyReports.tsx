// /laporan-saya: the citizen's own reports, newest first.
import { useEffect, useState } from 'react';
import type { ReportView } from '@api';
import { ApiError, request } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { RoleGate } from '../RoleGate';
import { Alert, PageTitle, Spinner } from '../ui';
import { formatDate, StatusBadge } from './status';
import { Icon } from './icons';
import { useCitizenStrings } from './strings';

export function MyReports() {
  const s = useCitizenStrings();
  return (
    <RoleGate allow={() => true} title={s.myReports} needLogin={s.needLoginList}>
      <List />
    </RoleGate>
  );
}

function List() {
  const s = useCitizenStrings();
  const { lang } = useI18n();
  const [reports, setReports] = useState<ReportView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let alive = true;
    setError(null);
    request<{ reports: ReportView[] }>('GET', '/reports?sort=newest&limit=100').then(
      (r) => alive && setReports(r.reports),
      (e: unknown) => alive && setError(e instanceof ApiError ? e.message : String(e)),
    );
    return () => {
      alive = false;
    };
  }, [tick, lang]);

  return (
    <section className="ct">
      <div className="ct-head">
        <PageTitle title={s.myReports}>{s.myReports}</PageTitle>
        <Link to="/lapor" className="btn btn--primary btn--small">
          + {s.makeReport}
        </Link>
      </div>
      {error && (
        <Alert>
          <p>{error}</p>
          <button type="button" className="btn btn--secondary btn--small" onClick={() => setTick((t) => t + 1)}>
            {s.retry}
          </button>
        </Alert>
      )}
      {!reports && !error && <Spinner label={s.loading} />}
      {reports && reports.length === 0 && (
        <div className="card ct-card">
          <p>{s.noReports}</p>
          <Link to="/lapor" className="btn btn--primary">
            {s.makeReport}
          </Link>
        </div>
      )}
      {reports && reports.length > 0 && (
        <ul className="ct-list">
          {reports.map((r) => (
            <li key={r.id}>
              <Link to={`/laporan-saya/${encodeURIComponent(r.trackingNo)}`} className="ct-item">
                <span className="ct-item-icon" aria-hidden="true">
                  <Icon name={r.category.icon} size={28} />
                </span>
                <span className="ct-item-body">
                  <span className="ct-item-top">
                    <span className="ct-item-no">{r.trackingNo}</span>
                    <StatusBadge status={r.status} name={r.statusName} />
                  </span>
                  <span className="ct-item-cat">{r.category.name}</span>
                  <span className="ct-item-desc">{r.description}</span>
                  <span className="ct-item-meta">
                    {formatDate(r.submittedAt, lang, false)}
                    {r.kelurahan && <> · {r.kelurahan.name}</>}
                    {r.due && (
                      <span className={r.due.overdue ? 'ct-overdue' : undefined}>
                        {' '}
                        · {r.due.text}
                      </span>
                    )}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
