// /akun — who is logged in: name, masked NIK and phone, role and scope; claims on the citizen's NIK; log out.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, ApiError, bootCity, type ClaimOnMyNik, type Me } from '../api';
import { useI18n, type Dict, type Lang } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { Alert, PageTitle, Redirect, Spinner, TextAreaField } from '../ui';
import { Retry } from './Verify';

/** "Kelurahan Ramanuju" even when the API gives just "Ramanuju"; the code when the API knows no name. */
function scopeName(scope: NonNullable<Me['scope']>): string {
  const name = scope.name ?? scope.code;
  const prefix = scope.kind === 'kelurahan' ? 'Kelurahan' : scope.kind === 'kecamatan' ? 'Kecamatan' : null;
  if (!prefix || /^(kelurahan|desa|kecamatan|distrik)\b/i.test(name)) return name;
  return `${prefix} ${name}`;
}

/** e.g. "Lurah — Kelurahan Ramanuju", "Petugas — Dinas Pekerjaan Umum". */
export function roleAndScope(me: Me, t: Dict): string {
  const role = t.roles[me.role] ?? me.role;
  if (!me.scope) return role;
  const title = me.scope.isHead ? (t.heads[me.scope.kind] ?? role) : role;
  return `${title} — ${scopeName(me.scope)}`;
}

export function Account() {
  const { t } = useI18n();
  const { me, meError, setMe, refreshMe } = useSession();
  const { query } = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (me === undefined) {
    return meError ? <Retry message={meError.message} onRetry={refreshMe} /> : <Spinner label={t.loading} />;
  }
  if (me === null) return <Redirect to="/masuk" />;

  async function logout() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.logout();
    } catch (e) {
      // 401: the session was already gone — that is what we wanted.
      if (!(e instanceof ApiError && e.status === 401)) {
        setError(e instanceof Error ? e.message : t.errServer);
        setBusy(false);
        return;
      }
    }
    setMe(null);
    navigate('/');
  }

  const officer = me.kind === 'officer';
  return (
    <section className="card narrow">
      <PageTitle title={t.accountTitle}>{t.accountTitle}</PageTitle>
      {query.get('terverifikasi') === '1' && me.phoneVerified && <Alert kind="success">{t.verifiedNow}</Alert>}
      {error && <Alert>{error}</Alert>}

      <div className="profile-head">
        <span className="avatar" aria-hidden="true">
          {me.name.trim().charAt(0).toUpperCase() || '?'}
        </span>
        <div>
          <p className="profile-name">{me.name}</p>
          <p className="profile-role">{officer ? roleAndScope(me, t) : t.roles.citizen}</p>
        </div>
      </div>

      <dl className="facts">
        {officer && me.username && (
          <div>
            <dt>{t.username}</dt>
            <dd>{me.username}</dd>
          </div>
        )}
        {me.nikMasked && (
          <div>
            <dt>{t.nik}</dt>
            <dd className="mono">{me.nikMasked}</dd>
          </div>
        )}
        {(me.phoneMasked || !officer) && (
          <div>
            <dt>{t.phone}</dt>
            <dd>
              {me.phoneMasked && <span className="mono">{me.phoneMasked}</span>}{' '}
              {me.phoneVerified ? (
                <span className="badge badge--ok">{t.phoneVerified}</span>
              ) : (
                <>
                  <span className="badge badge--warn">{t.phoneNotVerified}</span>{' '}
                  <Link to="/verifikasi">{t.verifyNow}</Link>
                </>
              )}
            </dd>
          </div>
        )}
        {me.status !== 'active' && (
          <div>
            <dt>{t.statusLabel}</dt>
            <dd>{t.statuses[me.status] ?? me.status}</dd>
          </div>
        )}
      </dl>

      {me.nikClaimPending && <ClaimsOnMyNik />}
      {!officer && <p className="muted">{t.accountComingSoon}</p>}

      <button type="button" className="btn btn--secondary btn--block" onClick={logout} aria-disabled={busy}>
        {busy ? t.logoutBusy : t.logout}
      </button>
    </section>
  );
}

function longDate(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'long', timeZone: bootCity()?.timezone ?? 'Asia/Jakarta' }).format(new Date(iso));
}

/**
 * A claim filed in person on this citizen's NIK that waits for the coordinator (asked only when /me
 * says there is one): the text message the holder got sends them here, to object before it is decided.
 */
function ClaimsOnMyNik() {
  const { t, lang } = useI18n();
  const [claims, setClaims] = useState<ClaimOnMyNik[]>([]);
  useEffect(() => {
    let live = true;
    // Nothing to show when the list cannot be read; the account page itself still works.
    api.claimsOnMyNik().then(
      (r) => live && setClaims(r.claims.filter((c) => c.status === 'pending')),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <>
      {claims.map((claim) => (
        <ClaimNotice key={claim.id} claim={claim} onObjected={(at) => setClaims((all) => all.map((c) => (c.id === claim.id ? { ...c, objectedAt: at } : c)))} t={t} lang={lang} />
      ))}
    </>
  );
}

function ClaimNotice({ claim, onObjected, t, lang }: { claim: ClaimOnMyNik; onObjected: (at: string) => void; t: Dict; lang: Lang }) {
  const id = useId();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (text.trim().length < 10) {
      setError(t.claimObjectionTooShort);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.objectToClaim(claim.id, text.trim());
      onObjected(new Date().toISOString());
    } catch (err) {
      setError(err instanceof Error ? err.message : t.errServer);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="claim-notice" aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'}>{t.claimTitle}</h2>
      <p>{t.claimPending(claim.unitName ?? t.claimUnitUnknown, longDate(claim.filedAt, lang))}</p>
      {claim.objectedAt ? (
        <Alert kind="success">{t.claimObjected(longDate(claim.objectedAt, lang))}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <TextAreaField label={t.claimObjectionLabel} hint={t.claimObjectionHint} error={error ?? undefined} rows={3} maxLength={1000} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="btn btn--block" aria-disabled={busy}>
            {busy ? t.claimObjectionBusy : t.claimObjectionSend}
          </button>
        </form>
      )}
    </section>
  );
}
