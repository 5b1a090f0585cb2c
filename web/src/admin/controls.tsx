// Small labelled form controls for the admin forms.
import { useId, type ReactNode } from 'react';

/** A label and optional hint above a control; the control gets the id and the hint's id. */
function Labelled({ label, hint, children }: { label: string; hint?: string; children: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = useId();
  return (
    <div className="bo-field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={id + '-h'}>
          {hint}
        </p>
      )}
      {children(id, hint ? id + '-h' : undefined)}
    </div>
  );
}

export function Input({
  label,
  hint,
  value,
  onChange,
  type = 'text',
  ...rest
}: { label: string; hint?: string; value: string; onChange: (v: string) => void; type?: string; required?: boolean; min?: string; step?: string; autoComplete?: string; placeholder?: string }) {
  return (
    <Labelled label={label} hint={hint}>
      {(id, describedBy) => <input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} {...rest} />}
    </Labelled>
  );
}

export function Textarea({ label, hint, value, onChange }: { label: string; hint?: string; value: string; onChange: (v: string) => void }) {
  return (
    <Labelled label={label} hint={hint}>
      {(id, describedBy) => <textarea id={id} rows={4} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} />}
    </Labelled>
  );
}

export function Select({ label, value, onChange, children, required }: { label: string; value: string; onChange: (v: string) => void; children: ReactNode; required?: boolean }) {
  return (
    <Labelled label={label}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required={required}>
          {children}
        </select>
      )}
    </Labelled>
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
