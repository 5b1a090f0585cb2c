// The officers' area: the inbox (/petugas), one report (/petugas/laporan/<trackingNo>) and, for the
// coordinator, the NIK claims awaiting a decision (/petugas/klaim-nik).
import type { Role } from '../api';
import { RoleGate } from '../RoleGate';
import { Inbox } from './Inbox';
import { NikClaims } from './NikClaims';
import { ReportDetail } from './ReportDetail';
import { useOfficerStrings } from './strings';
import '../backoffice.css';
import './officer.css';

const OFFICER_ROLES: readonly Role[] = ['officer', 'coordinator', 'pimpinan', 'command', 'admin'];

export default function OfficerArea({ path }: { path: string }) {
  const { s } = useOfficerStrings();
  const m = /^\/petugas\/laporan\/([^/]+)$/.exec(path);
  return (
    <RoleGate allow={(role) => OFFICER_ROLES.includes(role)} title={s.inboxTitle} needLogin={s.needLogin} refused={s.needOfficer} loginLabel={s.loginLink}>
      {m ? <ReportDetail key={m[1]} trackingNo={decodeURIComponent(m[1]!)} /> : path === '/petugas/klaim-nik' ? <NikClaims /> : <Inbox />}
    </RoleGate>
  );
}
