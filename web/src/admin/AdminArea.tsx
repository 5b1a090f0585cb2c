// The admin pages (/admin/<section>): report categories, holidays, officer accounts, notification
// channels and Open311 keys. Only the role `admin` may use them.
import { Link } from '../router';
import { RoleGate } from '../RoleGate';
import { Redirect } from '../ui';
import { Categories } from './Categories';
import { Holidays } from './Holidays';
import { Notifications } from './Notifications';
import { Open311Keys } from './Open311Keys';
import { Regions } from './Regions';
import { Users } from './Users';
import { useAdminStrings } from './strings';
import '../backoffice.css';
import './admin.css';

const SECTIONS = ['kategori', 'libur', 'pengguna', 'notifikasi', 'open311', 'wilayah'] as const;
type Section = (typeof SECTIONS)[number];

export default function AdminArea({ path }: { path: string }) {
  const { s } = useAdminStrings();
  const parts = path.split('/').filter(Boolean); // ['admin', section, ...rest]
  const section = parts[1] as Section | undefined;
  if (!section || !SECTIONS.includes(section)) return <Redirect to="/admin/kategori" />;
  const rest = parts.slice(2).map(decodeURIComponent);

  return (
    <RoleGate allow={(role) => role === 'admin'} title={s.title} needLogin={s.needLogin} refused={s.needAdmin}>
      <div className="ad-page bo">
      <div className="ad-head">
        <p className="ad-kicker">{s.title}</p>
        <nav aria-label={s.sections}>
          <ul className="ad-tabs">
            {SECTIONS.map((sec) => (
              <li key={sec}>
                <Link to={'/admin/' + sec} className="ad-tab" aria-current={sec === section ? 'page' : undefined}>
                  {s.tabs[sec]}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      {section === 'kategori' && <Categories rest={rest} />}
      {section === 'libur' && <Holidays />}
      {section === 'pengguna' && <Users />}
      {section === 'notifikasi' && <Notifications />}
      {section === 'open311' && <Open311Keys />}
      {section === 'wilayah' && <Regions />}
      </div>
    </RoleGate>
  );
}
