import type { Config } from '../../config.js';
import type { Database } from '../../platform/db.js';
import type { Logger } from '../../platform/logger.js';
import type { AgenciesService } from '../agencies/index.js';
import type { Identity } from '../identity/index.js';
import type { RegionsService } from '../regions/index.js';
import type { DeadlineKeeper, ReportsService } from '../reports/index.js';

/**
 * What the demo seed calls: each module's own functions, never its tables (the app's context fits).
 * The database is there for the transactions those functions take part in.
 */
export interface DemoContext {
  config: Pick<Config, 'cityCode' | 'demoPassword' | 'dataDir'> & { reports: Pick<Config['reports'], 'autoCloseDays'> };
  db: Database;
  log: Logger;
  regions: Pick<RegionsService, 'hasRegency' | 'importRegency' | 'importBoundaries' | 'tree' | 'boundariesDocument'>;
  agencies: Pick<AgenciesService, 'create'>;
  identity: {
    accounts: Pick<Identity['accounts'], 'list'>;
    registration: Pick<Identity['registration'], 'prepareCitizen' | 'insertCitizen'>;
    officers: Pick<Identity['officers'], 'insertOfficer'>;
  };
  reports: Pick<ReportsService, 'categories' | 'submit' | 'act'>;
  deadlines: Pick<DeadlineKeeper, 'withLog'>;
}
