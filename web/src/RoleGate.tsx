// The door of a page for some roles only (a citizen's report, the officer inbox, admin): waits for the
// session, offers a retry when it could not be loaded, and explains the refusal instead of showing an
// empty page; the login link brings the visitor back here.
import type { ReactNode } from 'react';
import type { Role } from './api';
import { useI18n } from './i18n';
import { Link } from './router';
import { useSession } from './session';
import { Alert, PageTitle, Spinner } from './ui';

export function RoleGate({
  allow,
  title,
  needLogin,
  refused,
  worksOffline = false,
  loginLabel,
  children,
}: {
  allow: (role: Role) => boolean;
  title: string;
  /** shown to someone not logged in */
  needLogin: string;
  /** shown to someone logged in with a role that may not enter */
  refused?: string;
  /**
   * The page works without a connection (the report form keeps its draft on the phone): when the session
   * cannot be checked because the network is down, the page opens anyway, and the session is checked
   * again when the connection returns (the page stays mounted meanwhile).
   */
  worksOffline?: boolean;
  /** the login link's text, when more precise than "Masuk" */
  loginLabel?: string;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { me, meError, refreshMe } = useSession();
  const offline = me === undefined && meError?.status === 0 && worksOffline;

  if (me === undefined && !offline) {
    if (!meError) return <Spinner label={t.loading} />;
    return (
      <Alert>
        <p>{meError.message}</p>
        <button type="button" className="btn btn--secondary btn--small" onClick={refreshMe}>
          {t.tryAgain}
        </button>
      </Alert>
    );
  }
  if (offline || (me && allow(me.role))) return <>{children}</>;
  return (
    <section className="narrow card">
      <PageTitle title={title}>{title}</PageTitle>
      <p>{me ? refused : needLogin}</p>
      {!me && (
        <Link to={'/masuk?next=' + encodeURIComponent(window.location.pathname + window.location.search)} className="btn btn--primary">
          {loginLabel ?? t.loginLink}
        </Link>
      )}
    </section>
  );
}
