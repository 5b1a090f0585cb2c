// What the whole app needs to know: the city (from the API) and who is logged in.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, bootCity, type City, type Me } from './api';

export interface Session {
  city: City | null;
  /** undefined while loading, null when not logged in */
  me: Me | null | undefined;
  /** the last /me failure that was not a 401 (e.g. offline), so pages can offer a retry */
  meError: ApiError | null;
  setMe: (me: Me | null) => void;
  refreshMe: () => void;
}

const Ctx = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [city, setCity] = useState<City | null>(bootCity);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [meError, setMeError] = useState<ApiError | null>(null);

  // The last error stays until the answer comes: a page opened offline stays (and keeps its state) while
  // the session is checked again.
  const refreshMe = useCallback(() => {
    api.me().then(
      (r) => {
        setMeError(null);
        setMe(r.user);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) {
          setMeError(null);
          setMe(null);
        } else setMeError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)));
      },
    );
  }, []);

  useEffect(() => {
    let alive = true;
    // The server inlines the city in the page; only without it (development) is it asked for.
    if (!bootCity())
      api.city().then(
        (c) => alive && setCity(c),
        () => undefined, // the header simply shows no city name
      );
    refreshMe();
    return () => {
      alive = false;
    };
  }, [refreshMe]);

  // A session that could not be checked for want of a network is checked again when it returns.
  useEffect(() => {
    if (meError?.status !== 0) return;
    window.addEventListener('online', refreshMe);
    return () => window.removeEventListener('online', refreshMe);
  }, [meError, refreshMe]);

  return <Ctx.Provider value={{ city, me, meError, setMe, refreshMe }}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
