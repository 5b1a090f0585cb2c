import { afterAll, beforeAll, expect, it } from 'vitest';
import { EVENT_COLUMNS, PHOTO_COLUMNS, REPORT_COLUMNS } from '../../src/modules/reports/repository.js';
import { describeEachDatabase, startHarness, type Harness } from '../support/harness.js';

/**
 * The row types of reports' tables are derived from the column lists in repository.ts, and the SELECT
 * lists come from the same lists: here the lists meet the tables the migrations made.
 */
describeEachDatabase('reports repository', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const columnsOf = async (table: string) =>
    (await h.db.query<{ column_name: string }>(`select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1`, [table]))
      .map((c) => c.column_name)
      .sort();

  it('reads every column of reports but the point kept for its index', async () => {
    expect([...REPORT_COLUMNS].sort()).toEqual((await columnsOf('reports')).filter((c) => c !== 'location'));
  });

  it('reads every column of the timeline, and of photos what the views use', async () => {
    expect([...EVENT_COLUMNS].sort()).toEqual(await columnsOf('report_events'));
    const photoColumns = await columnsOf('report_photos');
    expect(PHOTO_COLUMNS.filter((c) => !photoColumns.includes(c))).toEqual([]);
  });
});
