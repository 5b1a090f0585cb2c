// The citizen pages: /lapor, /laporan-saya, /laporan-saya/<trackingNo>, /peta. Leaflet is loaded only
// by the pages that show a map (MapView is lazy).
import './citizen.css';
import { Lapor } from './Lapor';
import { MyReports } from './MyReports';
import { Peta } from './Peta';
import { prefetchLapor } from './prefetch';
import { ReportDetail } from './ReportDetail';

export default function CitizenArea({ path }: { path: string }) {
  if (path === '/lapor') {
    // In render, not in an effect: before the form's own effect would ask for the same data.
    prefetchLapor();
    return <Lapor />;
  }
  if (path === '/peta') return <Peta />;
  if (path === '/laporan-saya') return <MyReports />;
  const m = /^\/laporan-saya\/([^/]+)$/.exec(path);
  if (m) return <ReportDetail trackingNo={decodeURIComponent(m[1]!)} />;
  return <MyReports />;
}
