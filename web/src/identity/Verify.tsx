// /verifikasi — confirm the phone number with the 6-digit code sent by SMS.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Alert, Field, PageTitle, Redirect, Spinner } from '../ui';
import { fieldErrorOf, onlyDigits } from './forms';

const RESEND_WAIT_S = 60;

export function Verify() {
  const { t } = useI18n();
  const { me, meError, setMe, refreshMe } = useSession();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();
  const [topError, setTopError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [resending, setResending] = useState(false);
  const [wait, setWait] = useState(0);
  const codeInput = useRef<HTMLInputElement | null>(null);

  useEffect(() => {
    if (wait <= 0) return;
    const id = window.setTimeout(() => setWait((w) => w - 1), 1000);
    return () => window.clearTimeout(id);
  }, [wait]);

  if (me === undefined) {
    return meError ? <Retry message={meError.message} onRetry={refreshMe} /> : <Spinner label={t.loading} />;
  }
  if (me === null) return <Redirect to="/masuk" />;

  if (me.phoneVerified && !busy) {
    return (
      <section className="card narrow">
        <PageTitle title={t.verifyTitle}>{t.verifyTitle}</PageTitle>
        <Alert kind="success">{t.alreadyVerified}</Alert>
        <p>
          <Link to="/akun" className="btn btn--primary">
            {t.navAccount}
          </Link>
        </p>
      </section>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setTopError(null);
    setInfo(null);
    if (code.length !== 6) {
      setCodeError(t.vCode6);
      codeInput.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const r = await api.verifyPhone(code);
      setMe(r.user);
      navigate('/akun?terverifikasi=1');
    } catch (err) {
      const fe = fieldErrorOf(err, ['code'] as const);
      // A wrong code is about the code field even when the server names no field.
      setCodeError(fe.message);
      setCode('');
      codeInput.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  async function resend() {
    if (resending || wait > 0) return;
    setTopError(null);
    setInfo(null);
    setResending(true);
    try {
      await api.resendCode();
      setInfo(t.resent);
      setWait(RESEND_WAIT_S);
    } catch (err) {
      setTopError(fieldErrorOf(err, []).message);
    } finally {
      setResending(false);
    }
  }

  return (
    <section className="card narrow">
      <PageTitle title={t.verifyTitle}>{t.verifyTitle}</PageTitle>
      <p>{me.phoneMasked ? t.verifyLead(me.phoneMasked) : t.verifyLeadNoPhone}</p>
      {topError && <Alert>{topError}</Alert>}
      {info && <Alert kind="success">{info}</Alert>}
      <form onSubmit={submit} noValidate>
        <Field
          label={t.code}
          error={codeError}
          inputRef={(el) => {
            codeInput.current = el;
          }}
          className="field--code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          maxLength={6}
          value={code}
          onChange={(e) => {
            setCode(onlyDigits(e.target.value).slice(0, 6));
            if (codeError) setCodeError(undefined);
          }}
        />
        <button type="submit" className="btn btn--primary btn--block" aria-disabled={busy}>
          {busy ? t.verifyBusy : t.verifySubmit}
        </button>
      </form>
      <div className="after-form resend">
        <span>{t.noCode}</span>{' '}
        <button
          type="button"
          className="btn btn--secondary btn--small"
          onClick={resend}
          aria-disabled={resending || wait > 0}
        >
          {wait > 0 ? t.resendIn(wait) : t.resend}
        </button>
      </div>
    </section>
  );
}

export function Retry({ message, onRetry }: { message: string; onRetry: () => void }) {
  const { t } = useI18n();
  return (
    <section className="card narrow">
      <Alert>
        <p>{message}</p>
        <button type="button" className="btn btn--secondary btn--small" onClick={onRetry}>
          {t.tryAgain}
        </button>
      </Alert>
    </section>
  );
}
