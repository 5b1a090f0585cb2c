// /laporan-saya/<trackingNo>: one of the citizen's reports — photos, pin, timeline, due times, comments,
// and once resolved: close it with 1–5 stars or dispute it.
import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import type { ReportDetailView, TimelineEntry } from '@api';
import { ApiError, request } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { RoleGate } from '../RoleGate';
import { Alert, PageTitle, Spinner, Timeline, type TimelineStep } from '../ui';
import { formatDate, StatusBadge } from './status';
import { Icon } from './icons';
import { useCitizenStrings } from './strings';

const MapView = lazy(() => import('./MapView'));

export function ReportDetail({ trackingNo }: { trackingNo: string }) {
  const s = useCitizenStrings();
  return (
    <RoleGate allow={() => true} title={trackingNo} needLogin={s.needLoginList}>
      <DetailView trackingNo={trackingNo} />
    </RoleGate>
  );
}

function DetailView({ trackingNo }: { trackingNo: string }) {
  const s = useCitizenStrings();
  const { lang } = useI18n();
  const [data, setData] = useState<ReportDetailView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [rating, setRating] = useState(0);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let alive = true;
    request<ReportDetailView>('GET', `/reports/${encodeURIComponent(trackingNo)}`).then(
      (r) => alive && setData(r),
      (e: unknown) => alive && setError(e instanceof ApiError ? e.message : String(e)),
    );
    return () => {
      alive = false;
    };
  }, [trackingNo, lang]);

  if (error)
    return (
      <section className="ct">
        <PageTitle title={trackingNo}>{trackingNo}</PageTitle>
        <Alert>{error}</Alert>
        <Link to="/laporan-saya">← {s.back}</Link>
      </section>
    );
  if (!data) return <Spinner label={s.loading} />;
  const r = data.report;
  const ref = encodeURIComponent(r.trackingNo);

  async function act(action: 'close' | 'dispute', body: Record<string, unknown>) {
    setBusy(true);
    setActionError(null);
    try {
      setData(await request<ReportDetailView>('POST', `/reports/${ref}/actions/${action}`, body));
    } catch (e) {
      setActionError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  async function sendComment(e: FormEvent) {
    e.preventDefault();
    if (!comment.trim() || !data) return;
    setBusy(true);
    setActionError(null);
    try {
      const { entry } = await request<{ entry: TimelineEntry }>('POST', `/reports/${ref}/comments`, { text: comment.trim(), internal: false });
      setData({ ...data, timeline: [...data.timeline, entry] });
      setComment('');
    } catch (err) {
      setActionError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  // Newest first; a citizen never sees officers' internal notes.
  const timeline: TimelineStep[] = [...data.timeline]
    .filter((t) => !t.internal)
    .sort((a, b) => b.at.localeCompare(a.at) || b.id - a.id)
    .map((t) => ({
      id: t.id,
      title: t.toStatus ? (s.statusNames[t.toStatus] ?? t.toStatus) : t.kind === 'comment' ? s.commented : t.kind,
      actor: t.actor,
      at: t.at,
      atText: formatDate(t.at, lang),
      notes: t.note ? [t.note] : [],
      kind: t.kind === 'comment' ? 'comment' : undefined,
    }));

  return (
    <section className="ct">
      <Link to="/laporan-saya" className="ct-back">
        ← {s.back}
      </Link>
      <PageTitle title={r.trackingNo}>
        {r.trackingNo}
      </PageTitle>
      <div className="card ct-card">
        <p className="ct-detail-top">
          <StatusBadge status={r.status} name={r.statusName} />
          <span className="ct-item-cat">
            <Icon name={r.category.icon} size={20} /> {r.category.name}
          </span>
        </p>
        <p className="ct-detail-desc">{r.description}</p>
        <dl className="ct-dl">
          <dt>{s.submittedAt}</dt>
          <dd>{formatDate(r.submittedAt, lang)}</dd>
          {r.kelurahan && (
            <>
              <dt>{s.location}</dt>
              <dd>
                {r.kelurahan.name}
                {r.kecamatan && `, ${r.kecamatan.name}`}
                {r.address && <> — {r.address}</>}
              </dd>
            </>
          )}
          <dt>{s.handler}</dt>
          <dd>{r.handler.name}</dd>
          {r.due && (
            <>
              <dt>{s.dueText}</dt>
              <dd className={r.due.overdue ? 'ct-overdue' : undefined}>
                {r.due.text}
                {r.due.overdue && <> ({s.overdue})</>}
              </dd>
            </>
          )}
          {r.resolutionNote && (
            <>
              <dt>{s.resolution}</dt>
              <dd>{r.resolutionNote}</dd>
            </>
          )}
          {r.rating !== null && (
            <>
              <dt>{s.rating}</dt>
              <dd aria-label={s.stars(r.rating)}>{'★'.repeat(r.rating) + '☆'.repeat(5 - r.rating)}</dd>
            </>
          )}
        </dl>
        {r.photos.length > 0 && (
          <div className="ct-photos ct-photos--view">
            {r.photos.map((p, i) => (
              <a key={p.id} href={p.url} target="_blank" rel="noreferrer" className="ct-photo">
                <img src={p.thumbnailUrl} alt={`${s.photo} ${i + 1}`} loading="lazy" />
              </a>
            ))}
          </div>
        )}
      </div>

      {r.location && (
        <Suspense fallback={<div className="ct-map ct-map--small ct-map--loading" />}>
          <MapView label={s.mapLabel} pin={r.location} className="ct-map--small" />
        </Suspense>
      )}

      {actionError && <Alert>{actionError}</Alert>}

      {r.actions.includes('close') && (
        <div className="card ct-card ct-rate">
          <h2>{s.rateTitle}</h2>
          <p>{s.rateText}</p>
          {/* A radio group as the ARIA pattern has it: one tab stop, the arrow keys move and choose. */}
          <div
            className="ct-stars"
            role="radiogroup"
            aria-label={s.rating}
            onKeyDown={(e) => {
              const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
              if (!step) return;
              e.preventDefault();
              const radios = [...e.currentTarget.querySelectorAll<HTMLElement>('[role=radio]')];
              const next = Math.min(5, Math.max(1, radios.indexOf(e.target as HTMLElement) + 1 + step));
              setRating(next);
              radios[next - 1]?.focus();
            }}
          >
            {[1, 2, 3, 4, 5].map((n) => (
              <button
                key={n}
                type="button"
                role="radio"
                aria-checked={rating === n}
                aria-label={s.stars(n)}
                tabIndex={n === (rating || 1) ? 0 : -1}
                className={'ct-star' + (n <= rating ? ' ct-star--on' : '')}
                onClick={() => setRating(n)}
              >
                {/* filled or hollow: which stars are given does not rest on colour alone */}
                {n <= rating ? '★' : '☆'}
              </button>
            ))}
          </div>
          <button type="button" className="btn btn--primary" disabled={!rating || busy} onClick={() => void act('close', { rating })}>
            {s.closeReport}
          </button>
        </div>
      )}
      {r.actions.includes('dispute') && (
        <form
          className="card ct-card"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) void act('dispute', { note: reason.trim() });
          }}
        >
          <h2>{s.disputeTitle}</h2>
          <div className="field">
            <label htmlFor="ct-dispute">{s.disputeReason}</label>
            <textarea id="ct-dispute" className="ct-textarea" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="btn btn--secondary" disabled={!reason.trim() || busy}>
            {s.dispute}
          </button>
        </form>
      )}

      <h2 className="ct-h2">{s.timeline}</h2>
      <Timeline area="ct" steps={timeline} />

      {r.canComment && (
        <form className="card ct-card" onSubmit={(e) => void sendComment(e)}>
          <div className="field">
            <label htmlFor="ct-comment">{s.commentLabel}</label>
            <textarea id="ct-comment" className="ct-textarea" rows={3} maxLength={3000} value={comment} onChange={(e) => setComment(e.target.value)} />
          </div>
          <button type="submit" className="btn btn--primary" disabled={!comment.trim() || busy}>
            {s.sendComment}
          </button>
        </form>
      )}
    </section>
  );
}
