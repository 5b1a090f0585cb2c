-- Attempt counters count every attempt before the work it guards (logins, registrations, SMS), not
-- only failures, and a key over its limit is refused until its window ends: no separate lock column.
alter table login_throttle rename to throttle_counters;
alter table throttle_counters rename column failures to attempts;
alter table throttle_counters drop column locked_until;

-- Browsers and API clients that logged in to an account before (the `sk_device` cookie, hashed):
-- failed logins from other clients cannot lock the owner out of their own device.
create table login_devices (
  user_id uuid not null references users (id),
  device_hash text not null,
  last_login_at timestamptz not null default now(),
  primary key (user_id, device_hash)
);

-- Where the citizen lives (a kelurahan code), as recorded on the account: an officer there may
-- settle a claim on the NIK even when it was issued elsewhere (people who moved in).
alter table users add column domicile_code text;

-- A claim an officer may not settle alone waits for the coordinator; the current holder may object.
-- The claimant's details wait encrypted in the claim until it is approved.
alter table nik_claims alter column claimant_user_id drop not null;
alter table nik_claims
  add column status text not null default 'completed' check (status in ('pending', 'completed', 'rejected')),
  add column holder_user_id uuid references users (id),
  add column nik_enc text,
  add column name_enc text,
  add column phone_enc text,
  add column birth_date_enc text,
  add column sex text check (sex in ('male', 'female')),
  add column officer_scope text,
  add column objection_enc text,
  add column objected_at timestamptz,
  add column decided_by uuid references users (id),
  add column decided_at timestamptz,
  add column decision_note text;
create index nik_claims_pending on nik_claims (created_at) where status = 'pending';
