// Small labelled form controls for the admin forms.
import { useId, type ReactNode } from 'react';

export function Input({
  label,
  hint,
  value,
  onChange,
  type = 'text',
  ...rest
}: { label: string; hint?: string; value: string; onChange: (v: string) => void; type?: string; required?: boolean; min?: string; step?: string; autoComplete?: string; placeholder?: string }) {
  const id = useId();
  return (
    <div className="bo-field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={id + '-h'}>
          {hint}
        </p>
      )}
      <input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? id + '-h' : undefined} {...rest} />
    </div>
  );
}

export function Textarea({ label, hint, value, onChange }: { label: string; hint?: string; value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="bo-field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={id + '-h'}>
          {hint}
        </p>
      )}
      <textarea id={id} rows={4} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? id + '-h' : undefined} />
    </div>
  );
}

export function Select({ label, value, onChange, children, required }: { label: string; value: string; onChange: (v: string) => void; children: ReactNode; required?: boolean }) {
  const id = useId();
  return (
    <div className="bo-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required={required}>
        {children}
      </select>
    </div>
  );
}

export function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="ad-check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}
