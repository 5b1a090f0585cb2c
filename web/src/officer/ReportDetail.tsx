// One report for an officer: what was reported, where, by whom, its history, and exactly the workflow
// actions the server says this officer may take now.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ReportDetailView, ReportView, TimelineEntry } from '@api';
import { ApiError, request } from '../api';
import { Link } from '../router';
import { useSession } from '../session';
import { Alert, PageTitle, Spinner, Timeline, type TimelineStep } from '../ui';
import { ReportMap } from './ReportMap';
import { Badges, formatDateTime, StatusPill, useAgencies, useCategories, useKecamatan } from './shared';
import { useOfficerStrings, type OfficerStrings } from './strings';

const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'network', String(e)));

export function ReportDetail({ trackingNo }: { trackingNo: string }) {
  const { s, lang } = useOfficerStrings();
  const [data, setData] = useState<ReportDetailView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const flashRef = useRef<HTMLDivElement>(null);

  // After an action the form is gone: keyboard and screen-reader users continue from its outcome.
  useEffect(() => {
    if (flash) flashRef.current?.focus();
  }, [flash]);

  const load = useCallback(() => {
    setError(null);
    return request<ReportDetailView>('GET', `/reports/${encodeURIComponent(trackingNo)}`).then(setData, (e: unknown) => setError(asError(e)));
  }, [trackingNo]);

  useEffect(() => {
    void load();
  }, [load, lang]);

  if (error && !data) {
    return (
      <div className="of-page bo">
        <Link to="/petugas" className="of-back">
          {s.back}
        </Link>
        <Alert>
          <p>{error.status === 404 || error.status === 403 ? s.notFound : error.message}</p>
          {error.status !== 404 && error.status !== 403 && (
            <button type="button" className="btn btn--secondary btn--small" onClick={() => void load()}>
              {s.retry}
            </button>
          )}
        </Alert>
      </div>
    );
  }
  if (!data) return <Spinner label={s.loading} />;

  const r = data.report;
  return (
    <div className="of-page of-detail bo">
      <Link to="/petugas" className="of-back">
        {s.back}
      </Link>
      <header className="of-detail-head">
        <PageTitle title={r.trackingNo}>
          <span className="mono">{r.trackingNo}</span>
          <span className="of-title-cat">{r.category.name}</span>
        </PageTitle>
        <div className="of-head-badges">
          <StatusPill status={r.status} name={r.statusName} />
          <Badges report={r} s={s} />
        </div>
      </header>
      {flash && (
        <div ref={flashRef} tabIndex={-1} className="of-flash">
          <Alert kind="success">{flash}</Alert>
        </div>
      )}

      <div className="of-grid">
        <div className="of-main">
          <section className="card of-card" aria-labelledby="of-desc-h">
            <h2 id="of-desc-h">{s.description}</h2>
            <p className="of-description">{r.description}</p>
            {r.statusReason && (
              <p>
                <strong>{s.statusReason}:</strong> {r.statusReason}
              </p>
            )}
            {r.resolutionNote && (
              <p>
                <strong>{s.resolutionNote}:</strong> {r.resolutionNote}
              </p>
            )}
            {r.mergedInto && (
              <p>
                <strong>{s.mergedInto}:</strong>{' '}
                <Link to={`/petugas/laporan/${encodeURIComponent(r.mergedInto)}`} className="mono">
                  {r.mergedInto}
                </Link>
              </p>
            )}
            <Answers report={r} s={s} />
          </section>

          {r.photos.length > 0 && <Photos report={r} s={s} onChanged={() => void load()} />}

          <ReportTimeline data={data} s={s} lang={lang} />

          {(r.canComment || r.canNote) && <Comments report={r} s={s} onSent={() => void load()} />}
        </div>

        <aside className="of-side">
          <Actions
            data={data}
            s={s}
            onDone={(next, action) => {
              setData(next);
              setFlash(null);
              setTimeout(() => setFlash(s.done(s.actionNames[action] ?? action)));
              void load();
            }}
          />
          <Facts report={r} s={s} lang={lang} />
          {r.location && (
            <section className="card of-card" aria-labelledby="of-map-h">
              <h2 id="of-map-h">{s.location}</h2>
              <ReportMap lat={r.location.lat} lng={r.location.lng} label={s.map} kelurahanCode={r.kelurahan?.code ?? null} />
              <p className="of-sub of-coords mono">
                {r.location.lat.toFixed(5)}, {r.location.lng.toFixed(5)}
              </p>
            </section>
          )}
        </aside>
      </div>
    </div>
  );
}

function Facts({ report: r, s, lang }: { report: ReportView; s: OfficerStrings; lang: 'id' | 'en' }) {
  const { city } = useSession();
  const tz = city?.timezone;
  return (
    <section className="card of-card" aria-labelledby="of-facts-h">
      <h2 id="of-facts-h" className="visually-hidden">
        {s.colReport}
      </h2>
      <dl className="of-facts">
        <dt>{s.reporter}</dt>
        <dd>
          {r.reporter ? (
            <>
              {r.reporter.name}
              {r.reporter.phoneMasked && <span className="of-sub mono">{r.reporter.phoneMasked}</span>}
              {!r.reporter.hasAccount && <span className="of-sub">{s.noAccount}</span>}
            </>
          ) : (
            <em>{s.anonymous}</em>
          )}
        </dd>
        <dt>{s.submittedAt}</dt>
        <dd>{formatDateTime(r.submittedAt, lang, tz)}</dd>
        {r.due && (
          <>
            <dt>{s.dueAt}</dt>
            <dd className={r.due.overdue ? 'of-due--late' : undefined}>{r.due.text}</dd>
          </>
        )}
        {r.resolveDue && r.resolveDue.at !== r.due?.at && (
          <>
            <dt>{s.resolveDue}</dt>
            <dd>{r.resolveDue.text}</dd>
          </>
        )}
        <dt>{s.handler}</dt>
        <dd>{r.handler.name}</dd>
        <dt>{s.agency}</dt>
        <dd>{r.agency.name}</dd>
        {r.instruction && (
          <>
            <dt>{s.instruction}</dt>
            <dd>{r.instruction}</dd>
          </>
        )}
        <dt>{s.location}</dt>
        <dd>
          {r.kelurahan ? `${r.kelurahan.name}${r.kecamatan ? `, ${r.kecamatan.name}` : ''}` : s.noLocation}
          {r.address && <span className="of-sub">{r.address}</span>}
        </dd>
        <dt>{s.privacy}</dt>
        <dd>{s.privacyNames[r.privacy] ?? r.privacy}</dd>
        <dt>{s.channel}</dt>
        <dd>{s.channelNames[r.channel] ?? r.channel}</dd>
        <dt>{s.supports}</dt>
        <dd>{r.supportCount}</dd>
      </dl>
    </section>
  );
}

function Answers({ report: r, s }: { report: ReportView; s: OfficerStrings }) {
  const categories = useCategories();
  const { lang } = useOfficerStrings();
  const entries = Object.entries(r.answers);
  if (!entries.length) return null;
  const questions = categories.find((c) => c.code === r.category.code)?.questions ?? [];
  const show = (code: string, v: unknown): string => {
    const q = questions.find((x) => x.code === code);
    const name = (key: unknown) => q?.values?.find((x) => x.key === key)?.name[lang] ?? String(key);
    if (Array.isArray(v)) return v.map(name).join(', ');
    if (typeof v === 'boolean') return v ? '✓' : '✗';
    return name(v);
  };
  return (
    <>
      <h3 className="of-h3">{s.answers}</h3>
      <dl className="of-facts of-answers">
        {entries.map(([code, v]) => (
          <div key={code} className="of-answer">
            <dt>{questions.find((x) => x.code === code)?.label[lang] ?? code}</dt>
            <dd>{show(code, v)}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

function Photos({ report: r, s, onChanged }: { report: ReportView; s: OfficerStrings; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function moderate(photoId: string, decision: 'approved' | 'rejected') {
    setBusy(photoId);
    setError(null);
    try {
      await request('POST', `/reports/${encodeURIComponent(r.trackingNo)}/photos/${photoId}/moderation`, { decision });
      onChanged();
    } catch (e) {
      setError(asError(e).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card of-card" aria-labelledby="of-photos-h">
      <h2 id="of-photos-h">{s.photos}</h2>
      {error && <Alert>{error}</Alert>}
      <ul className="of-photos">
        {r.photos.map((p, i) => (
          <li key={p.id} className="of-photo">
            <a href={p.url} target="_blank" rel="noreferrer">
              <img src={p.thumbnailUrl} alt={p.purpose === 'resolution' ? s.resolutionPhoto : s.photoOf(i + 1)} width={160} height={120} loading="lazy" />
            </a>
            {p.purpose === 'resolution' && <span className="of-sub">{s.resolutionPhoto}</span>}
            {p.moderation && <span className={`of-mod of-mod--${p.moderation}`}>{s.moderation[p.moderation]}</span>}
            {r.canModeratePhotos && p.moderation && (
              <span className="of-photo-buttons">
                {p.moderation !== 'approved' && (
                  <button type="button" className="btn btn--secondary btn--small" disabled={busy === p.id} onClick={() => void moderate(p.id, 'approved')}>
                    {s.approve}
                  </button>
                )}
                {p.moderation !== 'rejected' && (
                  <button type="button" className="btn btn--secondary btn--small" disabled={busy === p.id} onClick={() => void moderate(p.id, 'rejected')}>
                    {s.keepPrivate}
                  </button>
                )}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ReportTimeline({ data, s, lang }: { data: ReportDetailView; s: OfficerStrings; lang: 'id' | 'en' }) {
  const { city } = useSession();
  const agencies = useAgencies();
  const title = (e: TimelineEntry): string => {
    if (e.kind === 'status') {
      if (!e.fromStatus && e.toStatus) return s.submittedEvent;
      return `${e.fromStatus ? s.statusNames[e.fromStatus] : ''} → ${e.toStatus ? s.statusNames[e.toStatus] : ''}`;
    }
    if (e.kind === 'escalation' && typeof e.data?.to === 'string') return s.escalatedTo(e.data.to);
    return s.kindNames[e.kind] ?? e.kind;
  };
  const extra = (e: TimelineEntry): string | null => {
    const d = e.data ?? {};
    const parts: string[] = [];
    const target = d.target as { kind?: string; code?: string } | undefined;
    if (target?.code) {
      const name = target.kind === 'opd' ? (agencies.find((a) => a.code === target.code)?.shortName ?? target.code) : target.code;
      parts.push(`${s.dispatchTo}: ${name}`);
    }
    if (typeof d.instruction === 'string' && d.instruction) parts.push(`${s.instruction}: ${d.instruction}`);
    if (typeof d.into === 'string') parts.push(`${s.mergedInto}: ${d.into}`);
    if (e.kind === 'moderation' && typeof d.decision === 'string') parts.push(s.moderation[d.decision] ?? d.decision);
    return parts.length ? parts.join(' · ') : null;
  };
  const steps: TimelineStep[] = data.timeline.map((e) => ({
    id: e.id,
    title: title(e),
    badge: e.internal ? <span className="of-badge of-badge--internal">{s.internal}</span> : undefined,
    actor: e.actorName ? `${e.actor} (${e.actorName})` : e.actor,
    at: e.at,
    atText: formatDateTime(e.at, lang, city?.timezone),
    notes: [extra(e), e.note].filter((n): n is string => Boolean(n)),
    kind: e.internal ? 'internal' : undefined,
  }));
  return (
    <section className="card of-card" aria-labelledby="of-tl-h">
      <h2 id="of-tl-h">{s.timeline}</h2>
      <Timeline area="of" steps={steps} />
    </section>
  );
}

function Comments({ report: r, s, onSent }: { report: ReportView; s: OfficerStrings; onSent: () => void }) {
  return (
    <div className="of-comments">
      {r.canComment && <CommentBox report={r} s={s} internal={false} onSent={onSent} />}
      {r.canNote && <CommentBox report={r} s={s} internal onSent={onSent} />}
    </div>
  );
}

function CommentBox({ report: r, s, internal, onSent }: { report: ReportView; s: OfficerStrings; internal: boolean; onSent: () => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);

  async function send(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    setSent(false);
    try {
      await request('POST', `/reports/${encodeURIComponent(r.trackingNo)}/comments`, { text: text.trim(), internal });
      setText('');
      setSent(true);
      onSent();
    } catch (err) {
      setError(asError(err).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={`card of-card of-comment${internal ? ' is-internal' : ''}`} onSubmit={send}>
      <label htmlFor={id} className="of-label">
        {internal ? s.noteTitle : s.commentTitle}
      </label>
      <p className="hint" id={`${id}-hint`}>
        {internal ? s.noteHint : s.commentHint}
      </p>
      <textarea id={id} rows={3} value={text} aria-describedby={`${id}-hint`} onChange={(e) => setText(e.target.value)} maxLength={3000} />
      {error && <p className="field-error">{error}</p>}
      <div className="of-form-buttons">
        <button type="submit" className="btn btn--secondary btn--small" disabled={busy || !text.trim()}>
          {busy ? s.busy : s.send}
        </button>
        {sent && (
          <span role="status" className="of-ok">
            {s.sent}
          </span>
        )}
      </div>
    </form>
  );
}

type ActionName = ReportView['actions'][number];

function Actions({ data, s, onDone }: { data: ReportDetailView; s: OfficerStrings; onDone: (d: ReportDetailView, action: ActionName) => void }) {
  const r = data.report;
  const [open, setOpen] = useState<ActionName | null>(null);
  const actions: ActionName[] = r.actions.filter((a) => a !== 'close' && a !== 'dispute');
  return (
    <section className="card of-card of-actions" aria-labelledby="of-actions-h">
      <h2 id="of-actions-h">{s.actionsTitle}</h2>
      {actions.length === 0 ? (
        <p className="muted">{s.noActions}</p>
      ) : (
        <div className="of-action-buttons">
          {actions.map((a) => (
            <button
              key={a}
              type="button"
              className={`btn btn--small ${open === a ? 'btn--primary' : 'btn--secondary'}${a === 'reject' ? ' of-danger' : ''}`}
              aria-expanded={open === a}
              onClick={() => setOpen(open === a ? null : a)}
            >
              {s.actionNames[a]}
            </button>
          ))}
        </div>
      )}
      {open && actions.includes(open) && (
        <ActionForm
          key={open}
          action={open}
          data={data}
          s={s}
          onCancel={() => setOpen(null)}
          onDone={(d) => {
            setOpen(null);
            onDone(d, open);
          }}
        />
      )}
    </section>
  );
}

function ActionForm({ action, data, s, onCancel, onDone }: { action: ActionName; data: ReportDetailView; s: OfficerStrings; onCancel: () => void; onDone: (d: ReportDetailView) => void }) {
  const id = useId();
  const r = data.report;
  const agencies = useAgencies();
  const kecamatan = useKecamatan();
  const [note, setNote] = useState('');
  const [kind, setKind] = useState<'opd' | 'kecamatan' | 'kelurahan'>('opd');
  const [unit, setUnit] = useState('');
  const [mergeInto, setMergeInto] = useState(data.duplicates[0]?.trackingNo ?? '');
  const [mergeOther, setMergeOther] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const units =
    kind === 'opd'
      ? agencies.map((a) => ({ code: a.code, name: `${a.shortName} — ${a.name}` }))
      : kind === 'kecamatan'
        ? kecamatan.map((k) => ({ code: k.code, name: k.name }))
        : kecamatan.flatMap((k) => (k.children ?? []).map((v) => ({ code: v.code, name: `${v.name} (${k.name})` })));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const path = `/reports/${encodeURIComponent(r.trackingNo)}/actions/${action}`;
    const text = note.trim() || undefined;
    try {
      let body: unknown;
      if (action === 'resolve' && photo) {
        const form = new FormData();
        if (text) form.set('note', text);
        form.set('photo', photo);
        body = form;
      } else if (action === 'dispatch') {
        body = { note: text, target: unit ? { kind, code: unit } : undefined };
      } else if (action === 'merge') {
        body = { note: text, intoTrackingNo: (mergeInto === '__other' ? mergeOther.trim().toUpperCase() : mergeInto) || undefined };
      } else {
        body = { note: text };
      }
      onDone(await request<ReportDetailView>('POST', path, body));
    } catch (err) {
      setError(asError(err).message);
    } finally {
      setBusy(false);
    }
  }

  const noteLabel: Partial<Record<ActionName, string>> = {
    reject: s.rejectReason,
    return: s.returnReason,
    dispatch: s.instructionLabel,
    resolve: s.resolveNote,
  };

  return (
    <form className="of-action-form" onSubmit={submit} aria-label={s.actionNames[action]}>
      {action === 'verify' && <p>{s.verifyConfirm}</p>}
      {action === 'start' && <p>{s.startConfirm}</p>}

      {action === 'merge' && (
        <fieldset className="of-fieldset">
          <legend>{s.mergeInto}</legend>
          {data.duplicates.map((d) => (
            <label key={d.trackingNo} className="of-radio">
              <input type="radio" name={`${id}-merge`} value={d.trackingNo} checked={mergeInto === d.trackingNo} onChange={() => setMergeInto(d.trackingNo)} />
              <span>
                <span className="mono">{d.trackingNo}</span> · {s.statusNames[d.status]} · {s.meters(d.distanceMeters)}
              </span>
            </label>
          ))}
          <label className="of-radio">
            <input type="radio" name={`${id}-merge`} value="__other" checked={mergeInto === '__other' || (!data.duplicates.length && mergeInto === '')} onChange={() => setMergeInto('__other')} />
            <span>{s.mergeOther}</span>
          </label>
          {(mergeInto === '__other' || !data.duplicates.length) && (
            <input
              type="text"
              className="mono"
              aria-label={s.mergeOther}
              placeholder={s.mergeOtherHint}
              value={mergeOther}
              onChange={(e) => {
                setMergeInto('__other');
                setMergeOther(e.target.value);
              }}
            />
          )}
        </fieldset>
      )}

      {action === 'dispatch' && (
        <>
          <div className="bo-field of-field">
            <label htmlFor={`${id}-kind`}>{s.targetKind}</label>
            <select
              id={`${id}-kind`}
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as typeof kind);
                setUnit('');
              }}
            >
              <option value="opd">{s.kindOpd}</option>
              <option value="kecamatan">{s.kindKecamatan}</option>
              <option value="kelurahan">{s.kindKelurahan}</option>
            </select>
          </div>
          <div className="bo-field of-field">
            <label htmlFor={`${id}-unit`}>{s.dispatchTo}</label>
            <select id={`${id}-unit`} value={unit} onChange={(e) => setUnit(e.target.value)}>
              <option value="">{s.chooseUnit}</option>
              {units.map((u) => (
                <option key={u.code} value={u.code}>
                  {u.name}
                </option>
              ))}
            </select>
          </div>
        </>
      )}

      {noteLabel[action] && (
        <div className="bo-field of-field">
          <label htmlFor={`${id}-note`}>{noteLabel[action]}</label>
          <textarea
            id={`${id}-note`}
            rows={3}
            value={note}
            onChange={(e) => {
              setNote(e.target.value);
              setError(null);
            }}
            maxLength={3000}
          />
        </div>
      )}

      {action === 'resolve' && (
        <div className="bo-field of-field">
          <label htmlFor={`${id}-photo`}>{s.resolvePhoto}</label>
          <input id={`${id}-photo`} type="file" accept="image/jpeg,image/png,image/webp" onChange={(e) => setPhoto(e.target.files?.[0] ?? null)} />
        </div>
      )}

      {error && <Alert>{error}</Alert>}
      <div className="of-form-buttons">
        <button type="submit" className="btn btn--primary btn--small" disabled={busy}>
          {busy ? s.busy : s.actionNames[action]}
        </button>
        <button type="button" className="btn btn--secondary btn--small" onClick={onCancel} disabled={busy}>
          {s.cancel}
        </button>
      </div>
    </form>
  );
}
