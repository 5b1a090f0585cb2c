/**
 * The demo city's public face: seeding it (regions, OPDs, officers, citizens, a past of reports) into an
 * empty installation, and what tests and the CLI need to know of it. It writes only through the other
 * modules' functions (DemoContext), never their tables.
 */
export { DEMO_CITIZENS } from './citizens.js';
export type { DemoContext } from './context.js';
export { describeDemoHistory, seedDemoReports, type DemoHistory } from './reports.js';
export { DEMO_ACCOUNTS_FILE, DEMO_AGENCIES, seedDemo, type DemoAccount } from './seed.js';
