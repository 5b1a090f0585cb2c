// The shell: header (product, city, language, account), the current page, footer.
import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { setLang, useI18n } from './i18n';
import { Link, useLocation } from './router';
import { SessionProvider, useSession } from './session';
import { Landing } from './pages/Landing';
import { NotFound } from './pages/NotFound';
import { Login } from './identity/Login';
import { Register } from './identity/Register';
import { Verify } from './identity/Verify';
import { Account } from './identity/Account';

export function App() {
  const { path } = useLocation();
  return (
    <SessionProvider>
      {/* The command center fills the wall: no header, no footer. */}
      {under(path, '/command') ? (
        <Suspense fallback={null}>
          <CommandCenter />
        </Suspense>
      ) : (
        <Shell />
      )}
    </SessionProvider>
  );
}

// The areas beyond the shell are loaded on demand: a citizen's phone never downloads the command
// center, the officers' inbox or the admin pages.
const CitizenArea = lazy(() => import('./citizen/CitizenArea'));
const OfficerArea = lazy(() => import('./officer/OfficerArea'));
const AdminArea = lazy(() => import('./admin/AdminArea'));
const CommandCenter = lazy(() => import('./command/CommandCenter'));

const CITIZEN_PATHS = ['/lapor', '/laporan-saya', '/peta'];
const under = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

function Page({ path }: { path: string }) {
  if (CITIZEN_PATHS.some((p) => under(path, p))) return <Lazy><CitizenArea path={path} /></Lazy>;
  if (under(path, '/petugas')) return <Lazy><OfficerArea path={path} /></Lazy>;
  if (under(path, '/admin')) return <Lazy><AdminArea path={path} /></Lazy>;
  switch (path) {
    case '/':
      return <Landing />;
    case '/masuk':
      return <Login />;
    case '/daftar':
      return <Register />;
    case '/verifikasi':
      return <Verify />;
    case '/akun':
      return <Account />;
    default:
      return <NotFound />;
  }
}

function Lazy({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return <Suspense fallback={<p className="loading">{t.loading}</p>}>{children}</Suspense>;
}

function Shell() {
  const { t, lang } = useI18n();
  const { city, me } = useSession();
  const { path } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After an in-app navigation, move focus to the new page's heading so that
  // keyboard and screen-reader users start at the top of the new content. A page that loads its data
  // first shows its h1 later: focus waits on <main> for it, unless the user has moved on meanwhile.
  useEffect(() => {
    const main = mainRef.current;
    if (first.current || !main) {
      first.current = false;
      return;
    }
    const focusHeading = () => {
      const h1 = main.querySelector<HTMLElement>('h1');
      h1?.focus({ preventScroll: true });
      return Boolean(h1);
    };
    if (focusHeading()) return;
    main.focus({ preventScroll: true });
    const observer = new MutationObserver(() => {
      if (document.activeElement !== main) observer.disconnect();
      else if (focusHeading()) observer.disconnect();
    });
    observer.observe(main, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [path]);

  return (
    <>
      <a className="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <header className="site-header">
        <div className="wrap header-inner">
          <Link to="/" className="brand">
            <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="7" fill="#14b8a6" />
              <path d="M8 24V13l8-6 8 6v11h-5v-6h-6v6z" fill="#fff" />
            </svg>
            <span className="brand-text">
              <span className="brand-name">SatuKota</span>{' '}
              <span className="brand-city">{city ? city.name : '\u00a0'}</span>
            </span>
          </Link>
          <nav className="header-nav" aria-label="SatuKota">
            <button
              type="button"
              className="lang-switch"
              lang={lang === 'id' ? 'en' : 'id'}
              aria-label={t.switchLangLabel}
              onClick={() => setLang(lang === 'id' ? 'en' : 'id')}
            >
              {t.switchLang}
            </button>
            {/* Nothing while the session is unknown (loading, or offline): neither link would be true. */}
            {me === undefined ? null : me ? (
              <Link to="/akun" className="header-link" aria-current={path === '/akun' ? 'page' : undefined}>
                {t.navAccount}
              </Link>
            ) : (
              <Link to="/masuk" className="header-link" aria-current={path === '/masuk' ? 'page' : undefined}>
                {t.navLogin}
              </Link>
            )}
          </nav>
        </div>
      </header>
      {city?.demo && (
        <div className="demo-banner">
          <p className="wrap">{t.demoBanner}</p>
        </div>
      )}
      <main id="main" ref={mainRef} tabIndex={-1} className="wrap main">
        <Page path={path} />
      </main>
      <footer className="site-footer">
        <div className="wrap">
          <p>
            {t.footer}
            {city && (
              <>
                {' '}
                {city.name}, {city.provinceName}.
              </>
            )}
          </p>
        </div>
      </footer>
    </>
  );
}
