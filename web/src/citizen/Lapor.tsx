// /lapor: a citizen files a report — category, description, the category's questions, the place (map
// pin or kelurahan), photos, privacy — with a draft that survives a reload and an offline queue.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { CategoryView, PublicReportView, RegionNode, ReportView } from '@api';
import { ApiError, request } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { RoleGate } from '../RoleGate';
import { Alert, PageTitle, Spinner } from '../ui';
import { clearDraft, compressPhoto, isEmpty, loadDraft, newDraft, saveDraft, toForm, type Draft, type Privacy } from './draft';
import type { LatLng } from './MapView';
import { kelurahanAt } from '../map/boundaries';
import { Icon } from './icons';
import { takeLaporData } from './prefetch';
import { useCitizenStrings } from './strings';

const MapView = lazy(() => import('./MapView'));

type Errors = Partial<Record<'category' | 'description' | 'location' | `q:${string}`, string>>;

export function Lapor() {
  const s = useCitizenStrings();
  return (
    <RoleGate allow={(role) => role === 'citizen'} title={s.laporTitle} needLogin={s.needLogin} refused={s.onlyCitizens} worksOffline>
      <LaporForm />
    </RoleGate>
  );
}

function LaporForm() {
  const s = useCitizenStrings();
  const { lang } = useI18n();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [categories, setCategories] = useState<CategoryView[] | null>(null);
  const [districts, setDistricts] = useState<RegionNode[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [topError, setTopError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<ReportView | null>(null);
  // The pin is outside every kelurahan (the name under the map says so instead).
  const [outside, setOutside] = useState(false);
  const [nearby, setNearby] = useState<PublicReportView[]>([]);
  const [supported, setSupported] = useState<Set<string>>(new Set());
  const [gpsError, setGpsError] = useState(false);
  const sending = useRef(false);
  const online = useOnline();
  // Choosing a category (or "Ganti") replaces the button that had focus; focus follows to what replaced it
  // instead of falling back to the top of the page.
  const [focusAfterPick, setFocusAfterPick] = useState<'chosen' | 'list' | null>(null);
  useEffect(() => {
    if (!focusAfterPick) return;
    const target = focusAfterPick === 'chosen' ? '.ct-chosen button' : '#ct-category .ct-cat';
    document.querySelector<HTMLElement>(target)?.focus();
    setFocusAfterPick(null);
  }, [focusAfterPick]);

  // Load the draft, the categories and the region tree.
  useEffect(() => {
    let alive = true;
    void loadDraft().then((d) => alive && setDraft(d ?? newDraft()));
    const data = takeLaporData();
    data.categories.then(
      (r) => alive && setCategories(r.categories.filter((c) => c.active).sort((a, b) => a.sortOrder - b.sortOrder)),
      (e: unknown) => alive && setLoadError(e instanceof ApiError ? e.message : String(e)),
    );
    data.regions.then(
      (r) => alive && setDistricts(r.region.children ?? []),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, []);

  // Every change is saved on the device.
  useEffect(() => {
    if (draft) void saveDraft(draft);
  }, [draft]);

  const update = useCallback((patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d)), []);
  const category = categories?.find((c) => c.code === draft?.categoryCode) ?? null;

  // The kelurahan under the pin.
  const pinKey = draft?.pin ? `${draft.pin.lat.toFixed(6)},${draft.pin.lng.toFixed(6)}` : '';
  useEffect(() => {
    if (!pinKey) return;
    const [lat, lng] = pinKey.split(',');
    let alive = true;
    void kelurahanAt(Number(lat), Number(lng)).then((k) => {
      if (!alive) return;
      setOutside(k === null);
      if (k) update({ kelurahanCode: k.code, kelurahanName: k.name });
      else if (k === null) update({ kelurahanCode: '', kelurahanName: '' });
    });
    return () => {
      alive = false;
    };
  }, [pinKey, update]);

  // Open reports of the same kind nearby: support one instead of filing again.
  const categoryCode = draft?.categoryCode ?? '';
  useEffect(() => {
    if (!pinKey || !categoryCode) {
      setNearby([]);
      return;
    }
    const [lat, lng] = pinKey.split(',');
    let alive = true;
    request<{ reports: PublicReportView[] }>('GET', `/reports/nearby?category=${encodeURIComponent(categoryCode)}&lat=${lat}&lng=${lng}`).then(
      (r) => alive && setNearby(r.reports),
      () => alive && setNearby([]),
    );
    return () => {
      alive = false;
    };
  }, [pinKey, categoryCode]);

  const submit = useCallback(
    async (d: Draft) => {
      if (sending.current) return;
      sending.current = true;
      setBusy(true);
      setTopError(null);
      const cat = categories?.find((c) => c.code === d.categoryCode);
      const dt = (cat?.questions ?? []).filter((q) => q.datatype === 'datetime').map((q) => q.code);
      try {
        if (!navigator.onLine) throw new ApiError(0, 'network', 'offline');
        const r = await request<{ report: ReportView }>('POST', '/reports', toForm(d, dt), { 'Idempotency-Key': d.idempotencyKey });
        await clearDraft();
        setSent(r.report);
        setDraft(newDraft());
        window.scrollTo(0, 0);
      } catch (e) {
        if (e instanceof ApiError && e.status === 0) {
          // Offline: keep it queued, with the same Idempotency-Key, until the connection is back.
          setDraft((cur) => (cur && !cur.queued ? { ...cur, queued: true } : cur));
        } else {
          // The server refused it (not the network): back to the form, no more automatic retries.
          setDraft((cur) => (cur?.queued ? { ...cur, queued: false } : cur));
          setTopError(e instanceof ApiError ? e.message : String(e));
          if (e instanceof ApiError && e.field === 'description') setErrors({ description: e.message });
        }
      } finally {
        sending.current = false;
        setBusy(false);
      }
    },
    [categories],
  );

  // A queued report goes out by itself once the phone is online again.
  useEffect(() => {
    if (!draft?.queued || !categories) return;
    const go = () => void submit(draft);
    if (navigator.onLine) go();
    window.addEventListener('online', go);
    return () => window.removeEventListener('online', go);
  }, [draft, categories, submit]);

  const previews = useMemo(() => (draft?.photos ?? []).map((b) => URL.createObjectURL(b)), [draft?.photos]);
  useEffect(() => () => previews.forEach((u) => URL.revokeObjectURL(u)), [previews]);

  if (sent) return <Sent report={sent} onAgain={() => setSent(null)} />;
  if (loadError)
    return (
      <section className="ct">
        <PageTitle title={s.laporTitle}>{s.laporTitle}</PageTitle>
        <Alert>{loadError}</Alert>
      </section>
    );
  if (!draft || !categories) return <Spinner label={s.loading} />;

  const pick = (p: LatLng) => update({ pin: p });

  function validate(d: Draft): Errors {
    const e: Errors = {};
    if (!d.categoryCode) e.category = s.vCategory;
    if (d.description.trim().length < 10) e.description = s.vDescription;
    if (!d.pin && !d.kelurahanCode) e.location = s.vLocation;
    for (const q of category?.questions ?? []) {
      const v = d.answers[q.code];
      if (q.required && (v === undefined || v === '' || (Array.isArray(v) && v.length === 0))) e[`q:${q.code}`] = s.vRequired;
    }
    return e;
  }

  function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    if (!draft) return;
    const e = validate(draft);
    setErrors(e);
    const first = Object.keys(e)[0];
    if (first) {
      document.getElementById('ct-' + first.replace(':', '-'))?.focus();
      return;
    }
    void submit(draft);
  }

  async function addPhotos(files: FileList | null) {
    if (!files || !draft) return;
    const room = 5 - draft.photos.length;
    const picked = Array.from(files).slice(0, room);
    const out = await Promise.all(picked.map((f) => compressPhoto(f)));
    setDraft((d) => (d ? { ...d, photos: [...d.photos, ...out].slice(0, 5) } : d));
  }

  async function supportReport(r: PublicReportView) {
    try {
      await request('POST', `/reports/${encodeURIComponent(r.trackingNo)}/support`);
      setSupported((prev) => new Set(prev).add(r.trackingNo));
    } catch (e) {
      setTopError(e instanceof ApiError ? e.message : String(e));
    }
  }

  const privacyOptions: [Privacy, string, string][] = [
    ['public', s.privacyPublic, s.privacyPublicText],
    ['confidential', s.privacyConfidential, s.privacyConfidentialText],
    ['anonymous', s.privacyAnonymous, s.privacyAnonymousText],
  ];

  return (
    <section className="ct">
      <PageTitle title={s.laporTitle}>{s.laporTitle}</PageTitle>
      {draft.queued ? <Alert kind="info">{s.queued}</Alert> : !online && <Alert kind="info">{s.offlineNow}</Alert>}
      {topError && <Alert>{topError}</Alert>}
      <form className="ct-form" onSubmit={onSubmit} noValidate>
        <fieldset className="ct-fieldset">
          <legend className="ct-legend">{s.chooseCategory}</legend>
          {errors.category && (
            <p className="field-error" id="ct-category-err">
              {errors.category}
            </p>
          )}
          {category ? (
            <div className="ct-chosen">
              <span className="ct-cat-icon" aria-hidden="true">
                <Icon name={category.icon} size={28} />
              </span>
              <span className="ct-chosen-name">{category.name[lang]}</span>
              <button
                type="button"
                className="btn btn--secondary btn--small"
                onClick={() => {
                  update({ categoryCode: '', answers: {} });
                  setFocusAfterPick('list');
                }}
              >
                {s.change}
              </button>
            </div>
          ) : (
            <div className="ct-cats" id="ct-category" tabIndex={-1}>
              {categories.map((c) => (
                <button
                  type="button"
                  key={c.code}
                  className={'ct-cat' + (c.emergency ? ' ct-cat--emergency' : '')}
                  onClick={() => {
                    update({ categoryCode: c.code, answers: {} });
                    setErrors((e) => ({ ...e, category: undefined }));
                    setFocusAfterPick('chosen');
                  }}
                >
                  <span className="ct-cat-icon" aria-hidden="true">
                    <Icon name={c.icon} size={30} />
                  </span>
                  <span className="ct-cat-name">{c.name[lang]}</span>
                </button>
              ))}
            </div>
          )}
        </fieldset>

        {category?.emergency && (
          <div className="ct-emergency" role="alert">
            <p className="ct-emergency-title"><Icon name="alert" /> {s.emergencyTitle}</p>
            <p>{s.emergencyText}</p>
            <a className="btn ct-call" href="tel:112">
              <Icon name="phone" /> {s.call112}
            </a>
          </div>
        )}

        {category && (
          <>
            <div className={'field' + (errors.description ? ' field--error' : '')}>
              <label htmlFor="ct-description">{s.description}</label>
              <p className="hint" id="ct-description-hint">
                {s.descriptionHint}
              </p>
              <textarea
                id="ct-description"
                className="ct-textarea"
                rows={4}
                value={draft.description}
                aria-invalid={errors.description ? true : undefined}
                aria-describedby={errors.description ? 'ct-description-err ct-description-hint' : 'ct-description-hint'}
                onChange={(e) => {
                  update({ description: e.target.value });
                  if (errors.description) setErrors((x) => ({ ...x, description: undefined }));
                }}
              />
              {errors.description && (
                <p className="field-error" id="ct-description-err">
                  {errors.description}
                </p>
              )}
            </div>

            {category.questions.length > 0 && (
              <fieldset className="ct-fieldset">
                <legend className="ct-legend">{s.questions}</legend>
                {[...category.questions]
                  .sort((a, b) => a.order - b.order)
                  .map((q) => (
                    <Question
                      key={q.code}
                      q={q}
                      value={draft.answers[q.code]}
                      error={errors[`q:${q.code}`]}
                      onChange={(v) => {
                        update({ answers: { ...draft.answers, [q.code]: v } });
                        setErrors((x) => ({ ...x, [`q:${q.code}`]: undefined }));
                      }}
                    />
                  ))}
              </fieldset>
            )}

            <fieldset className="ct-fieldset">
              <legend className="ct-legend">{s.location}</legend>
              <p className="hint">{s.mapHint}</p>
              <Suspense fallback={<div className="ct-map ct-map--loading" />}>
                <MapView label={s.mapLabel} pin={draft.pin} onPick={pick} />
              </Suspense>
              <p className="ct-located" aria-live="polite">
                {outside ? (
                  <span className="ct-warn">{s.outsideCity}</span>
                ) : draft.kelurahanName ? (
                  <>
                    <Icon name="pin" size={18} /> {s.inKelurahan} <strong>{draft.kelurahanName}</strong>
                  </>
                ) : null}
              </p>
              {window.isSecureContext && 'geolocation' in navigator && (
                <button
                  type="button"
                  className="btn btn--secondary btn--small"
                  onClick={() => {
                    setGpsError(false);
                    navigator.geolocation.getCurrentPosition(
                      (p) => pick({ lat: p.coords.latitude, lng: p.coords.longitude }),
                      () => setGpsError(true),
                      { enableHighAccuracy: true, timeout: 15000 },
                    );
                  }}
                >
                  <Icon name="gps" size={18} /> {s.useGps}
                </button>
              )}
              {gpsError && <p className="ct-warn">{s.gpsFailed}</p>}
              <div className={'field' + (errors.location ? ' field--error' : '')}>
                <label htmlFor="ct-location">{s.orChooseKelurahan}</label>
                <select
                  id="ct-location"
                  className="ct-select"
                  value={draft.kelurahanCode}
                  onChange={(e) => {
                    const opt = e.target.selectedOptions[0];
                    update({ kelurahanCode: e.target.value, kelurahanName: e.target.value ? (opt?.textContent ?? '') : '' });
                    setErrors((x) => ({ ...x, location: undefined }));
                  }}
                >
                  <option value="">{s.choose}</option>
                  {districts.map((d) => (
                    <optgroup key={d.code} label={d.name}>
                      {(d.children ?? []).map((k) => (
                        <option key={k.code} value={k.code}>
                          {k.name}
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </select>
                {errors.location && <p className="field-error">{errors.location}</p>}
              </div>
              <div className="field">
                <label htmlFor="ct-address">{s.address}</label>
                <p className="hint">{s.addressHint}</p>
                <input id="ct-address" type="text" value={draft.address} maxLength={500} onChange={(e) => update({ address: e.target.value })} />
              </div>
            </fieldset>

            <fieldset className="ct-fieldset">
              <legend className="ct-legend">{s.photos}</legend>
              <p className="hint">{s.photosHint}</p>
              <div className="ct-photos">
                {previews.map((u, i) => (
                  <div key={u} className="ct-photo">
                    <img src={u} alt={`${s.photo} ${i + 1}`} />
                    <button
                      type="button"
                      className="ct-photo-remove"
                      aria-label={`${s.removePhoto} ${i + 1}`}
                      onClick={() => update({ photos: draft.photos.filter((_, j) => j !== i) })}
                    >
                      ×
                    </button>
                  </div>
                ))}
                {draft.photos.length < 5 && (
                  <label className="ct-photo-add">
                    <Icon name="camera" size={28} />
                    <span>{s.addPhoto}</span>
                    <input
                      type="file"
                      accept="image/jpeg,image/png,image/webp"
                      multiple
                      className="visually-hidden"
                      onChange={(e) => {
                        void addPhotos(e.target.files);
                        e.target.value = '';
                      }}
                    />
                  </label>
                )}
              </div>
            </fieldset>

            <fieldset className="ct-fieldset">
              <legend className="ct-legend">{s.privacy}</legend>
              {privacyOptions.map(([v, name, text]) => (
                <label key={v} className={'ct-radio' + (draft.privacy === v ? ' ct-radio--on' : '')}>
                  <input type="radio" name="privacy" value={v} checked={draft.privacy === v} onChange={() => update({ privacy: v })} />
                  <span>
                    <strong>{name}</strong>
                    <span className="ct-radio-text">{text}</span>
                  </span>
                </label>
              ))}
            </fieldset>

            {nearby.length > 0 && (
              <section className="ct-nearby" aria-labelledby="ct-nearby-title">
                <h2 id="ct-nearby-title">{s.nearbyTitle}</h2>
                <p>{s.nearbyText}</p>
                <ul>
                  {nearby.map((r) => (
                    <li key={r.trackingNo} className="ct-nearby-item">
                      <p>
                        <strong>{r.trackingNo}</strong> · {r.statusName}
                        {r.distanceMeters !== undefined && <> · {Math.round(r.distanceMeters)} m</>}
                      </p>
                      {r.description && <p className="ct-clamp">{r.description}</p>}
                      {supported.has(r.trackingNo) ? (
                        <p className="ct-ok"><Icon name="check" size={18} /> {s.supported}</p>
                      ) : (
                        <button type="button" className="btn btn--secondary btn--small" onClick={() => void supportReport(r)}>
                          <Icon name="thumb" size={18} /> {s.support} ({r.supportCount} {s.supporters})
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              </section>
            )}

            <button type="submit" className="btn btn--primary btn--block ct-send" aria-disabled={busy || undefined}>
              {busy ? s.sending : s.send}
            </button>
          </>
        )}
        {!isEmpty(draft) && (
          <p className="ct-draft-note">
            <Icon name="save" size={16} /> {s.draftSaved}{' '}
            <button
              type="button"
              className="ct-linkbtn"
              onClick={() => {
                void clearDraft();
                setDraft(newDraft());
                setErrors({});
                setOutside(false);
              }}
            >
              {s.clearDraft}
            </button>
          </p>
        )}
      </form>
    </section>
  );
}

type Q = CategoryView['questions'][number];

function Question({ q, value, error, onChange }: { q: Q; value: string | string[] | undefined; error?: string | undefined; onChange: (v: string | string[]) => void }) {
  const s = useCitizenStrings();
  const { lang } = useI18n();
  const id = `ct-q-${q.code}`;
  const label = (
    <>
      {q.label[lang]}
      {q.required && <span className="ct-req"> ({s.required})</span>}
    </>
  );
  const err = error ? (
    <p className="field-error" id={id + '-err'}>
      {error}
    </p>
  ) : null;
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? id + '-err' : undefined, required: q.required };
  const str = typeof value === 'string' ? value : '';

  if (q.datatype === 'multivaluelist') {
    const list = Array.isArray(value) ? value : [];
    return (
      <fieldset className={'ct-subfield' + (error ? ' field--error' : '')} id={id} tabIndex={-1}>
        <legend>{label}</legend>
        <div className="ct-chips">
          {(q.values ?? []).map((v) => (
            <label key={v.key} className={'ct-chip' + (list.includes(v.key) ? ' ct-chip--on' : '')}>
              <input
                type="checkbox"
                checked={list.includes(v.key)}
                onChange={(e) => onChange(e.target.checked ? [...list, v.key] : list.filter((x) => x !== v.key))}
              />
              {v.name[lang]}
            </label>
          ))}
        </div>
        {err}
      </fieldset>
    );
  }
  if (q.datatype === 'singlevaluelist') {
    return (
      <fieldset className={'ct-subfield' + (error ? ' field--error' : '')} id={id} tabIndex={-1}>
        <legend>{label}</legend>
        <div className="ct-chips">
          {(q.values ?? []).map((v) => (
            <label key={v.key} className={'ct-chip' + (str === v.key ? ' ct-chip--on' : '')}>
              <input type="radio" name={id} checked={str === v.key} onChange={() => onChange(v.key)} />
              {v.name[lang]}
            </label>
          ))}
        </div>
        {err}
      </fieldset>
    );
  }
  return (
    <div className={'field' + (error ? ' field--error' : '')}>
      <label htmlFor={id}>{label}</label>
      {q.datatype === 'text' ? (
        <textarea {...common} className="ct-textarea" rows={3} value={str} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={q.datatype === 'number' ? 'number' : q.datatype === 'datetime' ? 'datetime-local' : 'text'}
          inputMode={q.datatype === 'number' ? 'decimal' : undefined}
          value={str}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {err}
    </div>
  );
}

function Sent({ report, onAgain }: { report: ReportView; onAgain: () => void }) {
  const s = useCitizenStrings();
  return (
    <section className="ct ct-sent">
      <PageTitle title={s.sentTitle}>{s.sentTitle}</PageTitle>
      <div className="card ct-card ct-sent-card">
        <p className="ct-sent-check">
          <span>
            <Icon name="check" size={36} />
          </span>
        </p>
        <p className="ct-sent-label">{s.trackingNo}</p>
        <p className="ct-tracking" data-testid="tracking-no">
          {report.trackingNo}
        </p>
        <p className="ct-sent-cat">
          <Icon name={report.category.icon} size={20} /> {report.category.name} · {report.statusName}
        </p>
        {report.due && (
          <p className="ct-due">
            <Icon name="clock" size={18} /> {s.dueText}: <strong>{report.due.text}</strong>
          </p>
        )}
        <Link to={`/laporan-saya/${encodeURIComponent(report.trackingNo)}`} className="btn btn--primary btn--block">
          {s.viewReport}
        </Link>
        <button type="button" className="btn btn--secondary btn--block" onClick={onAgain}>
          {s.newReport}
        </button>
      </div>
    </section>
  );
}

/** Whether the phone has a connection, as the browser knows it (it changes the notice on the form). */
function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}
