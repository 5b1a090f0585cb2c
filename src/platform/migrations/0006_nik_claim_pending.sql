-- One claim on a NIK waits at a time, also when two officers file at the same moment; and /me asks
-- whether a claim on the citizen's NIK waits on every page load.
create unique index nik_claims_one_pending on nik_claims (nik_index) where status = 'pending';
create index nik_claims_pending_holder on nik_claims (holder_user_id) where status = 'pending';
