// The door of an area for some roles only (officer inbox, admin): waits for the session, offers a retry
// when it could not be loaded, and explains the refusal instead of showing an empty page.
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
  loginLabel,
  children,
}: {
  allow: (role: Role) => boolean;
  title: string;
  /** shown to someone not logged in */
  needLogin: string;
  /** shown to someone logged in with a role that may not enter */
  refused: string;
  loginLabel: string;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { me, meError, refreshMe } = useSession();

  if (me === undefined) {
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
  if (me && allow(me.role)) return <>{children}</>;
  return (
    <section className="narrow card">
      <PageTitle title={title}>{title}</PageTitle>
      <p>{me ? refused : needLogin}</p>
      {!me && (
        <Link to={'/masuk?next=' + encodeURIComponent(window.location.pathname)} className="btn btn--primary">
          {loginLabel}
        </Link>
      )}
    </section>
  );
}
