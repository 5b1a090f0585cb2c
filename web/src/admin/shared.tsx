// Small pieces the admin sections share.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, request } from '../api';
import { PageTitle, Spinner } from '../ui';

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** GET once (and again on reload()): {data, error, reload}. */
export function useLoad<T>(path: string | null): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setError(null);
    request<T>('GET', path).then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

/**
 * Runs one admin action at a time: `busy` while it runs, then the message it returns as `ok`, or its
 * error as `err`. Each run clears the previous outcome.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [ok, setOk] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<string | null | void>): Promise<boolean> => {
    setBusy(true);
    setOk(null);
    setErr(null);
    try {
      const message = await action();
      if (message) setOk(message);
      return true;
    } catch (e) {
      setErr(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, ok, err, run, setOk, setErr };
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
}

/** Shows the error or a spinner until `load` has data, then renders children with it. */
export function WhenLoaded<T>({ load, loading, children }: { load: Loaded<T>; loading: string; children: (data: T) => ReactNode }) {
  if (load.error) return <Msg ok={null} err={load.error} />;
  if (load.data === undefined) return <Spinner label={loading} />;
  return <>{children(load.data)}</>;
}

/**
 * The admin list table: column headers (the last one, for the row buttons, is read only by screen readers),
 * one row per item, or one muted row saying the list is empty.
 */
export function AdminTable<T>({
  columns,
  actions,
  items,
  empty,
  caption,
  children,
}: {
  columns: string[];
  /** the screen-reader name of the trailing actions column; omit when rows have no buttons */
  actions?: string;
  items: readonly T[];
  empty?: string;
  caption?: string;
  children: (item: T) => ReactNode;
}) {
  const width = columns.length + (actions ? 1 : 0);
  const table = useRef<HTMLTableElement>(null);
  // Each cell carries its column's name for the phone layout, where the header row is hidden. The roles
  // keep the table a table for screen readers when CSS lays it out as cards.
  useLayoutEffect(() => {
    for (const row of table.current?.tBodies[0]?.rows ?? []) {
      row.setAttribute('role', 'row');
      [...row.cells].forEach((cell, i) => {
        cell.setAttribute('role', 'cell');
        if (i > 0 && i < columns.length && row.cells.length === width) cell.dataset.label = columns[i];
      });
    }
  });
  return (
    <div className="bo-table-wrap">
      <table className="bo-table bo-table--cards" ref={table} role="table">
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr role="row">
            {columns.map((c) => (
              <th scope="col" role="columnheader" key={c}>
                {c}
              </th>
            ))}
            {actions && (
              <th scope="col" role="columnheader">
                <span className="visually-hidden">{actions}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {items.length === 0 && empty && (
            <tr>
              <td colSpan={width} className="muted">
                {empty}
              </td>
            </tr>
          )}
          {items.map(children)}
        </tbody>
      </table>
    </div>
  );
}

export function Msg({ ok, err }: { ok: string | null; err: string | null }) {
  return (
    <>
      {err && (
        <div className="alert alert--error" role="alert">
          {err}
        </div>
      )}
      {ok && !err && (
        <div className="alert alert--success" role="status">
          {ok}
        </div>
      )}
    </>
  );
}

export function SectionHead({ title, lead, children }: { title: string; lead: string; children?: ReactNode }) {
  return (
    <div className="ad-section-head">
      <div>
        <PageTitle title={title}>{title}</PageTitle>
        <p className="muted ad-lead">{lead}</p>
      </div>
      {children}
    </div>
  );
}

export function fmtDateTime(iso: string | null, lang: 'id' | 'en'): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtDate(date: string, lang: 'id' | 'en'): string {
  return new Date(date + 'T00:00:00').toLocaleDateString(lang === 'en' ? 'en-GB' : 'id-ID', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}
