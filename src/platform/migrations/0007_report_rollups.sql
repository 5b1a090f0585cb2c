-- Rollups of reports for the statistics of the command center and the pimpinan (reports/stats.ts).
--
-- At a million reports and more, every figure read the window's reports row by row (10M reports: half a
-- million rows per request). Here each report contributes a few facts — counts keyed by a UTC day and a
-- small set of flags — kept current by triggers on `reports` in the same transaction as the change, so
-- intake, every transition, the escalation job and the automatic closure all keep them exact. A
-- request sums whole days from the rollup and reads only the window's partial first day, the reports
-- submitted after its end and the values around a median from `reports` itself (stats.ts says how).
--
-- Contention: a trigger that updated "today's" row would serialise every intake on that row. The triggers
-- only append to the *_delta tables; a job folds them into the rollups (report_rollups_fold) and every
-- query reads rollup + delta, so the figures never depend on when the job ran.

-- The UTC day of an instant. date_part's float8 epoch has a quarter-microsecond resolution today, finer
-- than the microseconds a timestamp holds, so an instant a microsecond before midnight still falls on the
-- day before (and numeric extract() made the triggers several times slower). Immutable: the epoch does
-- not depend on the session's time zone.
create function report_day(t timestamptz) returns integer
language sql immutable parallel safe
as $$ select floor(date_part('epoch', t) / 86400)::integer $$;

-- Resolution time on a log scale: 32 buckets per doubling of the minutes from submission to resolution
-- (each about 2% wide), -1 for a resolution recorded before its submission.
create function report_duration_bucket(submitted timestamptz, resolved timestamptz) returns integer
language sql immutable parallel safe
as $$
  select case when resolved < submitted then -1
              else floor(32 * ln(1 + date_part('epoch', resolved - submitted) / 60) / ln(2::float8))::integer end
$$;

-- What a report adds to the rollups, per dimension (the city, its OPD, its kecamatan; '' for none):
--   1 submitted           day of submission
--   2 settled, not open   day it last mattered: its resolution, or its submission when it has none
--                         (rejected, merged); flags: 1 escalated
--   3 open                no day (0); flags: 1 escalated, 2 emergency, 4 has a stage deadline
--   4 open, by deadline   day of the stage deadline
--   5 resolved            day of resolution; flags: 1 has a resolution deadline, 2 resolved within it
--   6 resolution time     day of resolution; bucket: report_duration_bucket >> 5 (doublings; -1 stays -1)
--   7 resolution time     day of resolution; bucket: report_duration_bucket
create function report_rollup_facts(r reports)
returns table (kind smallint, dim text, code text, day integer, bucket integer, flags smallint)
language sql immutable parallel safe
as $$
  select f.kind::smallint, d.dim, d.code, f.day, f.bucket, f.flags::smallint
  from (select r.status in ('submitted', 'verified', 'dispatched', 'in_progress') as open,
               (r.escalation_count > 0)::integer as escalated,
               report_duration_bucket(r.submitted_at, r.resolved_at) as duration,
               report_day(r.resolved_at) as resolved_day) v
  cross join lateral (values
    (1, report_day(r.submitted_at), 0, 0, true),
    (2, report_day(greatest(r.submitted_at, r.resolved_at)), 0, v.escalated, not v.open),
    (3, 0, 0, v.escalated | (r.emergency::integer << 1) | ((r.due_at is not null)::integer << 2), v.open),
    (4, report_day(r.due_at), 0, 0, v.open and r.due_at is not null),
    (5, v.resolved_day, 0, (r.resolve_due_at is not null)::integer | (coalesce(r.resolved_at <= r.resolve_due_at, false)::integer << 1), r.resolved_at is not null),
    (6, v.resolved_day, v.duration >> 5, 0, r.resolved_at is not null),
    (7, v.resolved_day, v.duration, 0, r.resolved_at is not null)
  ) f (kind, day, bucket, flags, applies)
  cross join (values ('city', ''), ('agency', r.agency_code), ('kecamatan', coalesce(r.kecamatan_code, ''))) d (dim, code)
  where f.applies
$$;

-- What a report with a point adds to the map's grid at zoom levels 11 to 15 (cells a quarter of a 256-px
-- tile, the map query's grid: gx = floor(lng / cell); a view reads about as many cells at any zoom):
--   1 settled, not open   day it last mattered (as kind 2 above)
--   2 open                no day (0); flags: 1 emergency, 2 has a stage deadline
--   3 open, by deadline   day of the stage deadline
create function report_map_facts(r reports)
returns table (level smallint, kind smallint, gx integer, gy integer, day integer, flags smallint, lat double precision, lng double precision)
language sql immutable parallel safe
as $$
  select g.level::smallint, f.kind::smallint, floor(r.lng / g.cell)::integer, floor(r.lat / g.cell)::integer, f.day, f.flags::smallint, r.lat, r.lng
  from (select r.status in ('submitted', 'verified', 'dispatched', 'in_progress') as open) v
  cross join lateral (values
    (1, report_day(greatest(r.submitted_at, r.resolved_at)), 0, not v.open),
    (2, 0, r.emergency::integer | ((r.due_at is not null)::integer << 1), v.open),
    (3, report_day(r.due_at), 0, v.open and r.due_at is not null)
  ) f (kind, day, flags, applies)
  cross join (values (11, 0.0439453125::float8), (12, 0.02197265625::float8), (13, 0.010986328125::float8), (14, 0.0054931640625::float8),
                     (15, 0.00274658203125::float8)) g (level, cell)
  where f.applies and r.lat is not null and r.lng is not null
$$;

create table report_rollup (
  kind smallint not null,
  dim text not null,
  code text not null,
  day integer not null,
  bucket integer not null,
  flags smallint not null,
  n bigint not null,
  -- A window reads its days of every group of a dimension, from the index alone.
  primary key (kind, dim, day, code, bucket, flags) include (n)
);
-- The 1/32-doubling buckets of one doubling of one group, for its days (a median's second step).
create index report_rollup_fine on report_rollup (dim, code, (bucket >> 5), day) include (bucket, n) where kind = 7;
-- Facts that went away (a report no longer open, a deadline moved) leave rows at zero: the fold removes them.
create index report_rollup_zero on report_rollup (kind) where n = 0;

create table report_rollup_delta (
  kind smallint not null,
  dim text not null,
  code text not null,
  day integer not null,
  bucket integer not null,
  flags smallint not null,
  n bigint not null
);

create table report_map_rollup (
  level smallint not null,
  kind smallint not null,
  gx integer not null,
  gy integer not null,
  day integer not null,
  flags smallint not null,
  n bigint not null,
  -- Exact sums (numeric): the cluster's centre is the same whatever order the facts came in.
  sum_lat numeric not null,
  sum_lng numeric not null,
  primary key (level, kind, gx, gy, day, flags) include (n, sum_lat, sum_lng)
);
-- A wide view reads its days for every cell; a narrow one looks each of its cells up (primary key).
create index report_map_rollup_days on report_map_rollup (level, kind, day) include (gx, gy, flags, n, sum_lat, sum_lng);
create index report_map_rollup_zero on report_map_rollup (level) where n = 0;

create table report_map_rollup_delta (
  level smallint not null,
  kind smallint not null,
  gx integer not null,
  gy integer not null,
  day integer not null,
  flags smallint not null,
  n bigint not null,
  sum_lat numeric not null,
  sum_lng numeric not null
);

-- Appends the facts a row change adds (+1) and removes (-1). An update writes only the facts that
-- changed: whatever did not cancels out. plpgsql, so that its statements are planned once per connection
-- (a SQL function's were planned on every call, which halved the intake rate).
create function report_rollups_track() returns trigger
language plpgsql
as $$
begin
  if tg_op = 'INSERT' then
    insert into report_rollup_delta (kind, dim, code, day, bucket, flags, n)
    select f.kind, f.dim, f.code, f.day, f.bucket, f.flags, 1 from report_rollup_facts(new) f;
    insert into report_map_rollup_delta (level, kind, gx, gy, day, flags, n, sum_lat, sum_lng)
    select f.level, f.kind, f.gx, f.gy, f.day, f.flags, 1, f.lat::numeric, f.lng::numeric from report_map_facts(new) f;
  elsif tg_op = 'DELETE' then
    insert into report_rollup_delta (kind, dim, code, day, bucket, flags, n)
    select f.kind, f.dim, f.code, f.day, f.bucket, f.flags, -1 from report_rollup_facts(old) f;
    insert into report_map_rollup_delta (level, kind, gx, gy, day, flags, n, sum_lat, sum_lng)
    select f.level, f.kind, f.gx, f.gy, f.day, f.flags, -1, -f.lat::numeric, -f.lng::numeric from report_map_facts(old) f;
  else
    insert into report_rollup_delta (kind, dim, code, day, bucket, flags, n)
    select kind, dim, code, day, bucket, flags, sum(n)
    from (select f.*, 1 as n from report_rollup_facts(new) f union all select f.*, -1 from report_rollup_facts(old) f) facts
    group by 1, 2, 3, 4, 5, 6
    having sum(n) <> 0;
    insert into report_map_rollup_delta (level, kind, gx, gy, day, flags, n, sum_lat, sum_lng)
    select level, kind, gx, gy, day, flags, sum(n), sum(n * lat::numeric), sum(n * lng::numeric)
    from (select f.*, 1 as n from report_map_facts(new) f union all select f.*, -1 from report_map_facts(old) f) facts
    group by 1, 2, 3, 4, 5, 6
    having sum(n) <> 0 or sum(n * lat::numeric) <> 0 or sum(n * lng::numeric) <> 0;
  end if;
  return null;
end
$$;

create function report_rollups_on_truncate() returns trigger
language plpgsql
as $$
begin
  truncate report_rollup, report_rollup_delta, report_map_rollup, report_map_rollup_delta;
  return null;
end
$$;

create trigger reports_rollups_insert after insert on reports for each row execute function report_rollups_track();
create trigger reports_rollups_delete after delete on reports for each row execute function report_rollups_track();
-- Only when a column the facts read changed: the escalation job's warnings, supporters and notes cost nothing.
create trigger reports_rollups_update after update on reports
  for each row
  when (old.status is distinct from new.status or old.submitted_at is distinct from new.submitted_at
        or old.resolved_at is distinct from new.resolved_at or old.due_at is distinct from new.due_at
        or old.resolve_due_at is distinct from new.resolve_due_at or (old.escalation_count > 0) is distinct from (new.escalation_count > 0)
        or old.emergency is distinct from new.emergency or old.agency_code is distinct from new.agency_code
        or old.kecamatan_code is distinct from new.kecamatan_code or old.lat is distinct from new.lat or old.lng is distinct from new.lng)
  execute function report_rollups_track();
create trigger reports_rollups_truncate after truncate on reports
  for each statement execute function report_rollups_on_truncate();

-- Folds the appended facts into the rollups; safe beside writers and other folds (each delta row is
-- deleted, and so counted, by one fold only). Returns how many delta rows it folded.
create function report_rollups_fold() returns bigint
language plpgsql
as $$
declare
  folded bigint;
  folded_map bigint;
begin
  with moved as (delete from report_rollup_delta returning *),
       merged as (
         insert into report_rollup as t (kind, dim, code, day, bucket, flags, n)
         select kind, dim, code, day, bucket, flags, sum(n) from moved group by 1, 2, 3, 4, 5, 6
         on conflict (kind, dim, day, code, bucket, flags) do update set n = t.n + excluded.n
         returning 1)
  select count(*) into folded from moved;
  with moved as (delete from report_map_rollup_delta returning *),
       merged as (
         insert into report_map_rollup as t (level, kind, gx, gy, day, flags, n, sum_lat, sum_lng)
         select level, kind, gx, gy, day, flags, sum(n), sum(sum_lat), sum(sum_lng) from moved group by 1, 2, 3, 4, 5, 6
         on conflict (level, kind, gx, gy, day, flags) do update set n = t.n + excluded.n, sum_lat = t.sum_lat + excluded.sum_lat, sum_lng = t.sum_lng + excluded.sum_lng
         returning 1)
  select count(*) into folded_map from moved;
  delete from report_rollup where n = 0;
  delete from report_map_rollup where n = 0;
  return folded + folded_map;
end
$$;

-- Rebuilds the rollups from the reports: for the reports that already exist, and after a bulk load with
-- the insert trigger disabled (one pass instead of a trigger's lookups per statement).
create function report_rollups_rebuild() returns void
language sql
-- One hash aggregate over every report's facts: in memory, not in temporary files.
set work_mem = '256MB'
as $$
  truncate report_rollup, report_rollup_delta, report_map_rollup, report_map_rollup_delta;
  insert into report_rollup (kind, dim, code, day, bucket, flags, n)
  select f.kind, f.dim, f.code, f.day, f.bucket, f.flags, count(*)
  from reports r cross join lateral report_rollup_facts(r) f
  group by 1, 2, 3, 4, 5, 6;
  insert into report_map_rollup (level, kind, gx, gy, day, flags, n, sum_lat, sum_lng)
  select f.level, f.kind, f.gx, f.gy, f.day, f.flags, count(*), sum(f.lat::numeric), sum(f.lng::numeric)
  from reports r cross join lateral report_map_facts(r) f
  group by 1, 2, 3, 4, 5, 6;
$$;
select report_rollups_rebuild();

-- Until when a report belongs to a statistics window that starts before that moment: always while it is
-- open, else until the later of its submission and resolution (stats.ts: "submitted or resolved in the
-- window, or open now").
create function report_relevant_until(status text, submitted timestamptz, resolved timestamptz) returns timestamptz
language sql immutable parallel safe
as $$
  select case when status in ('submitted', 'verified', 'dispatched', 'in_progress') then 'infinity'::timestamptz else greatest(submitted, resolved) end
$$;
-- The map's reports along a box's edges (and in a box zoomed in past the rollup): by place and window at
-- once, so a thin strip reads the window's reports in it, not every report there ever was.
create extension if not exists btree_gist;
create index reports_map_window on reports using gist (location, report_relevant_until(status, submitted_at, resolved_at)) where location is not null;

-- The values around a median: a resolution-time bucket's reports in a window of resolution.
create index reports_resolution_time on reports (report_duration_bucket(submitted_at, resolved_at), resolved_at)
  include (submitted_at, agency_code, kecamatan_code) where resolved_at is not null;
-- Reports submitted after a window's end are subtracted from its sums: found by reports_submitted.
