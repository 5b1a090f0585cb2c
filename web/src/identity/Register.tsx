// /daftar — citizen registration: (1) accept the privacy notice (UU PDP 27/2022), (2) the form.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type PrivacyNotice } from '../api';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Alert, Field, PageTitle, PasswordField, Redirect, Spinner } from '../ui';
import { fieldErrorOf, isMobileNumber, onlyDigits } from './forms';

const FIELDS = ['nik', 'name', 'birthDate', 'phone', 'password'] as const;
type FieldName = (typeof FIELDS)[number];
type Values = Record<FieldName, string>;
type Errors = Partial<Record<FieldName, string>>;

function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function Register() {
  const { t, lang } = useI18n();
  const { me, setMe } = useSession();
  const [notice, setNotice] = useState<PrivacyNotice | null>(null);
  const [noticeError, setNoticeError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [consent, setConsent] = useState(false);
  const [consentError, setConsentError] = useState<string | null>(null);
  const [step, setStep] = useState<1 | 2>(1);
  const [values, setValues] = useState<Values>({ nik: '', name: '', birthDate: '', phone: '', password: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [topError, setTopError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const consentBox = useRef<HTMLInputElement>(null);
  const inputs = useRef<Partial<Record<FieldName, HTMLInputElement | null>>>({});
  const topRef = useRef<HTMLDivElement>(null);
  const moved = useRef(false);

  // The notice is localised: fetch it again when the language changes.
  useEffect(() => {
    let alive = true;
    setNoticeError(null);
    api.privacyNotice().then(
      (n) => alive && setNotice(n),
      (e: unknown) => alive && setNoticeError(e instanceof ApiError ? e.message : t.errServer),
    );
    return () => {
      alive = false;
    };
  }, [lang, reload]);

  // Focus the heading of the step when moving between steps.
  useEffect(() => {
    if (moved.current) stepHeading.current?.focus();
  }, [step]);

  if (me && !busy) return <Redirect to="/akun" />;

  function goTo(s: 1 | 2) {
    moved.current = true;
    setStep(s);
    window.scrollTo(0, 0);
  }

  function accept(e: FormEvent) {
    e.preventDefault();
    if (!consent) {
      setConsentError(t.consentRequired);
      consentBox.current?.focus();
      return;
    }
    goTo(2);
  }

  function set(name: FieldName, value: string) {
    setValues((v) => ({ ...v, [name]: value }));
    if (errors[name]) setErrors((er) => ({ ...er, [name]: undefined }));
  }

  function validate(v: Values): Errors {
    const e: Errors = {};
    if (!v.nik) e.nik = t.vNikRequired;
    else if (v.nik.length !== 16) e.nik = t.vNik16;
    if (!v.name.trim()) e.name = t.vNameRequired;
    if (!v.birthDate) e.birthDate = t.vBirthRequired;
    else if (v.birthDate > today()) e.birthDate = t.vBirthFuture;
    if (!v.phone.trim()) e.phone = t.vPhoneRequired;
    else if (!isMobileNumber(v.phone)) e.phone = t.vPhone;
    if (!v.password) e.password = t.vPasswordRequired;
    else if (v.password.length < 8) e.password = t.vPasswordMin;
    return e;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || !notice) return;
    setTopError(null);
    const errs = validate(values);
    setErrors(errs);
    const firstBad = FIELDS.find((f) => errs[f]);
    if (firstBad) {
      inputs.current[firstBad]?.focus();
      return;
    }
    setBusy(true);
    try {
      const r = await api.register({
        nik: values.nik,
        name: values.name.trim().replace(/\s+/g, ' '),
        birthDate: values.birthDate,
        phone: values.phone.replace(/[\s-]+/g, ''),
        password: values.password,
        consent: true,
        consentVersion: notice.version,
      });
      setMe(r.user);
      navigate('/verifikasi');
    } catch (err) {
      const fe = fieldErrorOf(err, FIELDS);
      if (fe.field) {
        setErrors({ [fe.field]: fe.message });
        inputs.current[fe.field]?.focus();
      } else {
        setTopError(fe.message);
        topRef.current?.scrollIntoView({ block: 'nearest' });
      }
    } finally {
      setBusy(false);
    }
  }

  const ref = (name: FieldName) => (el: HTMLInputElement | null) => {
    inputs.current[name] = el;
  };

  return (
    <section className="card narrow">
      <PageTitle title={t.registerTitle}>{t.registerTitle}</PageTitle>
      <p className="step">{t.stepOf(step, 2)}</p>

      {step === 1 ? (
        <>
          {!notice && !noticeError && <Spinner label={t.privacyLoading} />}
          {noticeError && (
            <Alert>
              <p>{noticeError}</p>
              <button type="button" className="btn btn--secondary btn--small" onClick={() => setReload((n) => n + 1)}>
                {t.tryAgain}
              </button>
            </Alert>
          )}
          {notice && (
            <form onSubmit={accept} noValidate>
              <article className="notice" aria-labelledby="notice-title">
                <h2 id="notice-title" ref={stepHeading} tabIndex={-1}>
                  {notice.title}
                </h2>
                <p className="muted">{t.privacyVersion(notice.version)}</p>
                {notice.sections.map((s, i) => (
                  <section key={i}>
                    <h3>{s.heading}</h3>
                    {s.body.split(/\n{2,}/).map((para, j) => (
                      <p key={j}>{para}</p>
                    ))}
                  </section>
                ))}
              </article>
              <div className={'check' + (consentError ? ' field--error' : '')}>
                <input
                  id="consent"
                  type="checkbox"
                  ref={consentBox}
                  checked={consent}
                  aria-invalid={consentError ? true : undefined}
                  aria-describedby={consentError ? 'consent-err' : undefined}
                  onChange={(e) => {
                    setConsent(e.target.checked);
                    if (e.target.checked) setConsentError(null);
                  }}
                />
                <label htmlFor="consent">{t.consentLabel}</label>
              </div>
              {consentError && (
                <p className="field-error" id="consent-err">
                  <span aria-hidden="true">⚠ </span>
                  {consentError}
                </p>
              )}
              <button type="submit" className="btn btn--primary btn--block">
                {t.continue}
              </button>
            </form>
          )}
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <h2 className="visually-hidden" ref={stepHeading} tabIndex={-1}>
            {t.registerTitle} — {t.stepOf(2, 2)}
          </h2>
          <p className="consent-given">
            <span aria-hidden="true">✓ </span>
            {t.consentGiven(notice?.version ?? '')}{' '}
            <button type="button" className="link-button" onClick={() => goTo(1)}>
              {t.back}
            </button>
          </p>
          <div ref={topRef}>{topError && <Alert>{topError}</Alert>}</div>
          <Field
            label={t.nik}
            hint={t.nikHint}
            error={errors.nik}
            inputRef={ref('nik')}
            name="nik"
            inputMode="numeric"
            autoComplete="off"
            maxLength={16}
            value={values.nik}
            onChange={(e) => set('nik', onlyDigits(e.target.value).slice(0, 16))}
          />
          <Field
            label={t.fullName}
            hint={t.fullNameHint}
            error={errors.name}
            inputRef={ref('name')}
            name="name"
            autoComplete="name"
            autoCapitalize="words"
            value={values.name}
            onChange={(e) => set('name', e.target.value)}
          />
          <Field
            label={t.birthDate}
            error={errors.birthDate}
            inputRef={ref('birthDate')}
            name="birthDate"
            type="date"
            autoComplete="bday"
            min="1900-01-01"
            max={today()}
            value={values.birthDate}
            onChange={(e) => set('birthDate', e.target.value)}
          />
          <Field
            label={t.phone}
            hint={t.phoneHint}
            error={errors.phone}
            inputRef={ref('phone')}
            name="phone"
            type="tel"
            inputMode="tel"
            autoComplete="tel-national"
            placeholder="0812…"
            value={values.phone}
            onChange={(e) => set('phone', e.target.value)}
          />
          <PasswordField
            label={t.passwordNew}
            hint={t.passwordHint}
            error={errors.password}
            inputRef={ref('password')}
            name="password"
            autoComplete="new-password"
            minLength={8}
            value={values.password}
            onChange={(e) => set('password', e.target.value)}
          />
          <button type="submit" className="btn btn--primary btn--block" aria-disabled={busy}>
            {busy ? t.registerBusy : t.registerSubmit}
          </button>
        </form>
      )}

      <p className="after-form">
        {t.haveAccount} <Link to="/masuk">{t.loginLink}</Link>
      </p>
    </section>
  );
}
