-- The statistics of an officer scoped to an OPD or a kecamatan come from that OPD's or kecamatan's rollup
-- group (migration 0007) when no report outside it is handled by their unit; such reports (dispatched to a
-- kelurahan of another kecamatan, say) are rare, and found through this index rather than by a scan.
create function report_handled_elsewhere(handler_kind text, handler_code text, agency_code text, kecamatan_code text) returns boolean
language sql immutable parallel safe
as $$
  select (handler_kind = 'opd' and handler_code is distinct from agency_code)
      or (handler_kind = 'kecamatan' and handler_code is distinct from kecamatan_code)
      or (handler_kind = 'kelurahan' and (kecamatan_code is null or handler_code not like kecamatan_code || '.%'))
$$;
create index reports_handled_elsewhere on reports (handler_kind, handler_code)
  where report_handled_elsewhere(handler_kind, handler_code, agency_code, kecamatan_code);
