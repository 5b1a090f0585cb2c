import type { LiveLayer } from '../../platform/live.js';
import type { Principal } from '../identity/index.js';
import { reportsPolicy } from './policy.js';
import { presentPublic, presentReport, type PresentContext } from './present.js';
import { reportResource } from './queries.js';
import type { PhotoRow } from './repository.js';
import type { ReportsService } from './service.js';
import { PUBLIC_STATUSES } from './workflow.js';

/**
 * Reports on the live stream. Each viewer gets the report exactly as the API would show it to them:
 * officers in scope the officer view (an anonymous reporter stays hidden), the reporter their own
 * report, everyone else the public view — and only once an officer has verified it. Views are built
 * once per kind of viewer, not once per connection.
 */
export function reportsLiveLayer(reports: ReportsService): LiveLayer<Principal> {
  return async (event, viewers) => {
    const reportId = event.payload?.reportId;
    if (typeof reportId !== 'string') return;
    const row = await reports.queries.row(reportId);
    if (!row) return;
    const names = await reports.names.get();
    const resource = reportResource(row);
    const views = new Map<string, unknown>();
    let photos: PhotoRow[] | undefined;
    for (const viewer of viewers) {
      const p = viewer.principal;
      const ctx: PresentContext = { names, lang: viewer.lang, timezone: reports.options.timezone, autoCloseDays: reports.options.autoCloseDays };
      let key: string;
      let build: () => Promise<unknown> | unknown;
      if (p?.kind === 'officer' && reportsPolicy.can(p, 'reports.read', resource)) {
        // The officer view depends on the role and unit only (the actions offered), not on the person.
        key = `officer|${p.role}|${p.scope?.kind}|${p.scope?.code}|${viewer.lang}`;
        build = () => presentReport(row, p, ctx);
      } else if (p?.role === 'citizen' && row.reporter_id === p.userId) {
        key = `reporter|${p.userId}|${viewer.lang}`;
        build = () => presentReport(row, p, ctx);
      } else if (PUBLIC_STATUSES.includes(row.status)) {
        key = `public|${viewer.lang}`;
        build = async () => presentPublic(row, (photos ??= await reports.queries.photos(row.id)), ctx);
      } else {
        continue;
      }
      if (!views.has(key)) views.set(key, { topic: event.topic, view: key.split('|')[0], report: await build() });
      viewer.send('report', views.get(key));
    }
  };
}
