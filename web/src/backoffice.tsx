// Loading, running actions and showing their outcome on the back-office pages (admin and officers).
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, request } from './api';
import { Spinner } from './ui';

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

