// /masuk — log in as a citizen (NIK) or as an officer (username).
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, ApiError } from '../api';
import { useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { Alert, Field, PageTitle, PasswordField, Redirect } from '../ui';
import { fieldErrorOf, onlyDigits } from './forms';

type Tab = 'citizen' | 'officer';

const OFFICER_PAGE = /^\/(petugas|command|admin)(?=[/?#]|$)/;

/**
 * Where to go after logging in: `?next=` when it is a path on this site (a single leading `/`), never
 * another origin (`//evil.example`, `/\\evil`, `https://…`): no open redirect.
 */
export function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if ([...next].some((c) => c < ' ' || c === '\\')) return null;
  try {
    const url = new URL(next, window.location.origin);
    if (url.origin !== window.location.origin) return null;
    return url.pathname + url.search + url.hash;
  } catch {
    return null;
  }
}
type Errors = { login?: string; password?: string };

export function Login() {
  const { t } = useI18n();
  const { me, setMe } = useSession();
  const { query } = useLocation();
  const nextPath = safeNext(query.get('next'));
  // Coming back to an officers' page (/petugas, /command, /admin): the officer tab is the likely one.
  const [tab, setTab] = useState<Tab>(query.get('sebagai') === 'petugas' || OFFICER_PAGE.test(nextPath ?? '') ? 'officer' : 'citizen');
  const [nik, setNik] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [topError, setTopError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ citizen: null, officer: null });
  const inputs = useRef<Record<keyof Errors, HTMLInputElement | null>>({ login: null, password: null });

  if (me && !busy) return <Redirect to={nextPath ?? '/akun'} />;

  function choose(next: Tab) {
    setTab(next);
    setErrors({});
    setTopError(null);
  }

  function onTabKey(e: KeyboardEvent<HTMLButtonElement>) {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    const next: Tab =
      e.key === 'Home' ? 'citizen' : e.key === 'End' ? 'officer' : tab === 'citizen' ? 'officer' : 'citizen';
    choose(next);
    tabRefs.current[next]?.focus();
  }

  function validate(): Errors {
    const errs: Errors = {};
    if (tab === 'citizen') {
      if (!nik) errs.login = t.vNikRequired;
      else if (nik.length !== 16) errs.login = t.vNik16;
    } else if (!username.trim()) errs.login = t.vUsernameRequired;
    if (!password) errs.password = t.vPasswordRequired;
    return errs;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setTopError(null);
    const errs = validate();
    setErrors(errs);
    const firstBad = (Object.keys(errs) as (keyof Errors)[])[0];
    if (firstBad) {
      inputs.current[firstBad]?.focus();
      return;
    }
    setBusy(true);
    try {
      const r = await api.login(tab === 'citizen' ? nik : username.trim(), password);
      setMe(r.user);
      navigate(nextPath ?? '/akun');
    } catch (err) {
      const fe = fieldErrorOf(err, ['login', 'password'] as const);
      if (fe.field) {
        setErrors({ [fe.field]: fe.message });
        inputs.current[fe.field]?.focus();
      } else setTopError(fe.message);
      if (err instanceof ApiError && err.status === 401) setPassword('');
    } finally {
      setBusy(false);
    }
  }

  const panelId = 'login-panel';
  return (
    <section className="card narrow">
      <PageTitle title={t.loginTitle}>{t.loginTitle}</PageTitle>

      <div className="tabs" role="tablist" aria-label={t.loginAs}>
        {(['citizen', 'officer'] as const).map((k) => (
          <button
            key={k}
            ref={(el) => {
              tabRefs.current[k] = el;
            }}
            type="button"
            role="tab"
            id={'tab-' + k}
            aria-selected={tab === k}
            aria-controls={panelId}
            tabIndex={tab === k ? 0 : -1}
            className="tab"
            onClick={() => choose(k)}
            onKeyDown={onTabKey}
          >
            {k === 'citizen' ? t.tabCitizen : t.tabOfficer}
          </button>
        ))}
      </div>

      <div role="tabpanel" id={panelId} aria-labelledby={'tab-' + tab}>
        {topError && <Alert>{topError}</Alert>}
        <form onSubmit={submit} noValidate>
          {tab === 'citizen' ? (
            <Field
              key="nik"
              label={t.nik}
              hint={t.nikHint}
              error={errors.login}
              inputRef={(el) => {
                inputs.current.login = el;
              }}
              name="nik"
              inputMode="numeric"
              autoComplete="username"
              maxLength={16}
              value={nik}
              onChange={(e) => {
                setNik(onlyDigits(e.target.value).slice(0, 16));
                if (errors.login) setErrors({ ...errors, login: undefined });
              }}
            />
          ) : (
            <Field
              key="username"
              label={t.username}
              error={errors.login}
              inputRef={(el) => {
                inputs.current.login = el;
              }}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              autoCorrect="off"
              spellCheck={false}
              value={username}
              onChange={(e) => {
                setUsername(e.target.value);
                if (errors.login) setErrors({ ...errors, login: undefined });
              }}
            />
          )}
          <PasswordField
            label={t.password}
            error={errors.password}
            inputRef={(el) => {
              inputs.current.password = el;
            }}
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              if (errors.password) setErrors({ ...errors, password: undefined });
            }}
          />
          <button type="submit" className="btn btn--primary btn--block" aria-disabled={busy}>
            {busy ? t.loginBusy : t.loginSubmit}
          </button>
        </form>
      </div>

      {tab === 'citizen' && (
        <p className="after-form">
          {t.noAccount} <Link to="/daftar">{t.registerLink}</Link>
        </p>
      )}
    </section>
  );
}
