// The officers' area: the inbox (/petugas) and one report (/petugas/laporan/<trackingNo>).
import { Link } from '../router';
import { useSession } from '../session';
import { Alert, PageTitle, Spinner } from '../ui';
import { Inbox } from './Inbox';
import { ReportDetail } from './ReportDetail';
import { useOfficerStrings } from './strings';
import './officer.css';

const OFFICER_ROLES = ['officer', 'coordinator', 'pimpinan', 'command', 'admin'];

export default function OfficerArea({ path }: { path: string }) {
  const { s } = useOfficerStrings();
  const { me, meError, refreshMe } = useSession();

  if (me === undefined) {
    if (meError)
      return (
        <Alert>
          <p>{meError.message}</p>
          <button type="button" className="btn btn--secondary btn--small" onClick={refreshMe}>
            {s.retry}
          </button>
        </Alert>
      );
    return <Spinner label={s.loading} />;
  }
  if (!me || !OFFICER_ROLES.includes(me.role)) {
    return (
      <section className="narrow card">
        <PageTitle title={s.inboxTitle}>{s.inboxTitle}</PageTitle>
        <p>{me ? s.needOfficer : s.needLogin}</p>
        <Link to="/masuk" className="btn btn--primary">
          {s.loginLink}
        </Link>
      </section>
    );
  }

  const m = /^\/petugas\/laporan\/([^/]+)$/.exec(path);
  if (m) return <ReportDetail key={m[1]} trackingNo={decodeURIComponent(m[1]!)} />;
  return <Inbox />;
}
