// /peta: the public map and feed of verified reports; no login needed.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { PublicReportView } from '@api';
import { ApiError, request } from '../api';
import { useI18n } from '../i18n';
import { Alert, PageTitle, Spinner } from '../ui';
import type { MapPoint } from './MapView';
import { formatDate, STATUS_COLOR, StatusBadge } from './status';
import { Icon } from './icons';
import { useCitizenStrings } from './strings';

const MapView = lazy(() => import('./MapView'));

/** A point of GET /public/reports.geojson (no response schema): a public report, its location as the geometry. */
interface Feature {
  id: string;
  geometry: { coordinates: [number, number] };
  properties: Omit<PublicReportView, 'location'>;
}

export function Peta() {
  const s = useCitizenStrings();
  const { lang } = useI18n();
  const [features, setFeatures] = useState<Feature[]>([]);
  const [reports, setReports] = useState<PublicReportView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    request<{ features: Feature[] }>('GET', '/public/reports.geojson?limit=200').then(
      (r) => alive && setFeatures(r.features),
      () => undefined,
    );
    request<{ reports: PublicReportView[] }>('GET', '/public/reports?limit=20').then(
      (r) => alive && setReports(r.reports),
      (e: unknown) => alive && setError(e instanceof ApiError ? e.message : String(e)),
    );
    return () => {
      alive = false;
    };
  }, [lang]);

  const points = useMemo<MapPoint[]>(
    () =>
      features.map((f) => {
        const el = document.createElement('span');
        el.textContent = `${f.properties.trackingNo} · ${f.properties.category.name} · ${f.properties.statusName}`;
        return { lat: f.geometry.coordinates[1], lng: f.geometry.coordinates[0], label: el.innerHTML, color: STATUS_COLOR[f.properties.status] };
      }),
    [features],
  );

  return (
    <section className="ct">
      <PageTitle title={s.mapTitle}>{s.mapTitle}</PageTitle>
      <p className="ct-intro">{s.mapIntro}</p>
      <Suspense fallback={<div className="ct-map ct-map--loading" />}>
        <MapView label={s.mapTitle} points={points} />
      </Suspense>
      <p className="hint">{s.boundariesNote}</p>
      <h2 className="ct-h2">{s.latest}</h2>
      {error && <Alert>{error}</Alert>}
      {!reports && !error && <Spinner label={s.loading} />}
      {reports && (
        <ul className="ct-list">
          {reports.map((r) => (
            <li key={r.id} className="ct-item ct-item--static">
              <span className="ct-item-icon" aria-hidden="true">
                <Icon name={r.category.icon} size={28} />
              </span>
              <span className="ct-item-body">
                <span className="ct-item-top">
                  <span className="ct-item-cat">{r.category.name}</span>
                  <StatusBadge status={r.status} name={r.statusName} />
                </span>
                {r.description && <span className="ct-item-desc">{r.description}</span>}
                <span className="ct-item-meta">
                  {formatDate(r.submittedAt, lang, false)}
                  {r.kelurahan && <> · {r.kelurahan.name}</>}
                  {r.supportCount > 0 && <> · {r.supportCount} {s.supporters}</>}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
