// Small building blocks shared by the pages: page title, form fields, alerts, redirect.
import { useEffect, useId, useState, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { useI18n } from './i18n';
import { navigate } from './router';

/** The page's heading; also sets the document title. App moves focus here after navigation. */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  useEffect(() => {
    document.title = `${title} · SatuKota`;
  }, [title]);
  return (
    <h1 className="page-title" tabIndex={-1}>
      {children}
    </h1>
  );
}

type FieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & {
  label: string;
  hint?: string;
  error?: string | undefined;
  /** extra control shown at the end of the input (e.g. show-password button) */
  addon?: ReactNode;
  inputRef?: (el: HTMLInputElement | null) => void;
};

/** The label, hint and error around one control, wired with aria-describedby / aria-invalid. */
function useFieldFrame(hint: string | undefined, error: string | undefined) {
  const id = useId();
  const hintId = hint ? id + '-hint' : undefined;
  const errId = error ? id + '-err' : undefined;
  const control = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': [errId, hintId].filter(Boolean).join(' ') || undefined };
  const frame = (label: string, className: string | undefined, children: ReactNode) => (
    <div className={'field' + (error ? ' field--error' : '') + (className ? ' ' + className : '')}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p className="field-error" id={errId}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
  return { control, frame };
}

/** A labelled input with optional hint and error. */
export function Field({ label, hint, error, addon, inputRef, className, ...input }: FieldProps) {
  const { control, frame } = useFieldFrame(hint, error);
  return frame(
    label,
    className,
    <div className={addon ? 'input-wrap has-addon' : 'input-wrap'}>
      <input ref={inputRef} {...control} {...input} />
      {addon}
    </div>,
  );
}

/** A labelled multi-line text with optional hint and error. */
export function TextAreaField({
  label,
  hint,
  error,
  className,
  ...textarea
}: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> & { label: string; hint?: string; error?: string | undefined }) {
  const { control, frame } = useFieldFrame(hint, error);
  return frame(label, className, <textarea {...control} {...textarea} />);
}

/** A password field with a show/hide toggle (typing on a phone keyboard is error-prone). */
export function PasswordField(props: Omit<FieldProps, 'type' | 'addon'>) {
  const { t } = useI18n();
  const [shown, setShown] = useState(false);
  return (
    <Field
      {...props}
      type={shown ? 'text' : 'password'}
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      addon={
        <button
          type="button"
          className="input-addon"
          aria-pressed={shown}
          aria-label={t.showPasswordLabel}
          onClick={() => setShown((s) => !s)}
        >
          {shown ? t.hidePassword : t.showPassword}
        </button>
      }
    />
  );
}

export function Alert({ kind = 'error', children }: { kind?: 'error' | 'success' | 'info'; children: ReactNode }) {
  return (
    <div className={'alert alert--' + kind} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** One step of a report's timeline, worded by the page (each area says it in its own terms). */
export interface TimelineStep {
  id: number;
  title: string;
  /** Beside the title, e.g. "internal". */
  badge?: ReactNode;
  /** Who took the step. */
  actor: string;
  at: string;
  /** `at` as the page shows it (its locale, the city's zone). */
  atText: string;
  /** Shown under the step, each in a box: the note, the dispatch target … */
  notes: string[];
  /** A comment, or an officers-only (internal) step: marked apart from status changes. */
  kind?: 'comment' | 'internal';
}

/**
 * A report's timeline for the citizen's and the officer's detail pages. `area` adds that area's class
 * names (`ct-tl`, `of-tl` …) beside the shared ones, as hooks for its pages and their tests.
 */
export function Timeline({ steps, area }: { steps: TimelineStep[]; area: 'ct' | 'of' }) {
  return (
    <ol className={`timeline ${area}-timeline`}>
      {steps.map((e) => (
        <li key={e.id} className={`timeline-step ${area}-tl` + (e.kind === 'internal' ? ' is-internal' : e.kind === 'comment' ? ' is-comment' : '')}>
          <div className="timeline-head">
            <strong>{e.title}</strong>
            {e.badge}
          </div>
          <div className="timeline-sub">
            {e.actor} · <time dateTime={e.at}>{e.atText}</time>
          </div>
          {e.notes.map((note, i) => (
            <p key={i} className={`timeline-note ${area}-tl-note`}>
              {note}
            </p>
          ))}
        </li>
      ))}
    </ol>
  );
}
