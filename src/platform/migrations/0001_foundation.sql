-- Foundation: platform (settings, outbox, jobs, audit), regions, identity, agencies.
-- Forward-only: never edit after release, add a new file.

-- platform ---------------------------------------------------------------------------------------

-- Small facts about this installation (e.g. whether the demo city was seeded).
create table platform_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);

-- Events written in the same transaction as the change they announce.
create table outbox (
  id bigserial primary key,
  topic text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  dispatched_at timestamptz,
  -- A dispatcher's lease: delivery happens outside the claiming transaction.
  claimed_until timestamptz,
  attempts integer not null default 0,
  last_error text
);
create index outbox_pending on outbox (id) where dispatched_at is null;

-- Background work, claimed with FOR UPDATE SKIP LOCKED so any number of workers can run.
create table jobs (
  id bigserial primary key,
  kind text not null,
  payload jsonb not null default '{}',
  -- At most one pending job per (kind, unique_key): recurring jobs and de-duplicated work.
  unique_key text,
  run_at timestamptz not null default now(),
  status text not null default 'pending' check (status in ('pending', 'running', 'done', 'failed')),
  attempts integer not null default 0,
  max_attempts integer not null default 8,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index jobs_due on jobs (run_at) where status in ('pending', 'running');
create unique index jobs_unique_pending on jobs (kind, unique_key) where unique_key is not null and status in ('pending', 'running');

-- Append-only, HMAC-chained audit trail. `hash` = HMAC(audit key, prev_hash || canonical(row)).
create table audit_log (
  seq bigint primary key,
  at timestamptz not null,
  actor_id uuid,
  actor_label text not null,
  action text not null,
  subject_type text,
  subject_id text,
  ip text,
  details jsonb not null default '{}',
  prev_hash text not null,
  hash text not null
);
create index audit_log_subject on audit_log (subject_type, subject_id);
create index audit_log_actor on audit_log (actor_id);

-- The chain's head, signed with the audit key: deleting the newest rows cannot go unnoticed.
create table audit_head (
  id boolean primary key default true check (id),
  count bigint not null,
  hash text not null,
  signature text not null
);

-- regions ----------------------------------------------------------------------------------------

-- Kemendagri areas: province (36) → regency (36.72) → district/kecamatan (36.72.01)
-- → village, a kelurahan or desa (36.72.01.1001).
create table regions (
  code text primary key,
  level text not null check (level in ('province', 'regency', 'district', 'village')),
  parent_code text references regions (code),
  name text not null,
  -- For villages: kelurahan (urban, headed by a lurah) or desa (rural, headed by a kepala desa).
  village_kind text check (village_kind in ('kelurahan', 'desa')),
  geometry jsonb,
  -- Bounding box of the geometry; its GiST index narrows point lookups before the exact test.
  bbox box,
  geometry_approximate boolean not null default false,
  geometry_source text,
  geometry_updated_at timestamptz
);
create index regions_parent on regions (parent_code);
create index regions_bbox on regions using gist (bbox) where bbox is not null;

-- identity ---------------------------------------------------------------------------------------

-- Citizens (warga) and officers (petugas). Personal data is encrypted (enc columns, AES-256-GCM with
-- the key id in each value); NIK and phone are found through HMAC blind indexes.
create table users (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('citizen', 'officer')),
  role text not null check (role in ('citizen', 'admin', 'coordinator', 'pimpinan', 'command', 'officer')),
  username text,
  nik_index text,
  nik_enc text,
  phone_index text,
  phone_enc text,
  name_enc text not null,
  birth_date_enc text,
  address_enc text,
  sex text check (sex in ('male', 'female')),
  password_hash text,
  status text not null default 'active' check (status in ('active', 'suspended', 'pending_setup')),
  status_reason text,
  -- A NIK squatter's account keeps its row (for the audit trail) but gives up the NIK.
  nik_released_at timestamptz,
  phone_verified_at timestamptz,
  consent_version text,
  consent_at timestamptz,
  scope_kind text check (scope_kind in ('city', 'opd', 'kecamatan', 'kelurahan')),
  scope_code text,
  is_head boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'citizen') = (role = 'citizen')),
  check (kind <> 'citizen' or nik_index is not null),
  check (kind <> 'officer' or username is not null),
  check ((scope_kind is null) = (scope_code is null))
);
create unique index users_username on users (lower(username)) where username is not null;
-- One account per NIK: a released NIK may be registered again by its real owner.
create unique index users_nik on users (nik_index) where nik_index is not null and nik_released_at is null;
create index users_scope on users (scope_kind, scope_code);

create table sessions (
  -- SHA-256 of the token: a leaked table does not leak usable tokens.
  id text primary key,
  user_id uuid not null references users (id),
  kind text not null check (kind in ('cookie', 'bearer')),
  csrf_token text,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
create index sessions_user on sessions (user_id);

-- One-time codes for phone verification and account setup.
create table one_time_codes (
  id bigserial primary key,
  user_id uuid not null references users (id),
  purpose text not null check (purpose in ('phone_verification', 'account_setup')),
  code_hash text not null,
  expires_at timestamptz not null,
  attempts integer not null default 0,
  consumed_at timestamptz,
  created_at timestamptz not null default now()
);
create index one_time_codes_user on one_time_codes (user_id, purpose);

-- Failed-login counters keyed by an HMAC of the login (account) or of the client address.
create table login_throttle (
  key text primary key,
  failures integer not null,
  window_started_at timestamptz not null,
  locked_until timestamptz
);

-- A real NIK owner reclaiming their NIK in person at their kelurahan.
create table nik_claims (
  id uuid primary key default gen_random_uuid(),
  nik_index text not null,
  claimant_user_id uuid not null references users (id),
  suspended_user_id uuid references users (id),
  confirmed_by uuid not null references users (id),
  kelurahan_code text,
  note text,
  created_at timestamptz not null default now()
);

-- agencies ---------------------------------------------------------------------------------------

-- OPD (organisasi perangkat daerah: the city's own agencies) and external agencies (police, port …).
create table agencies (
  code text primary key check (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
  kind text not null check (kind in ('opd', 'external')),
  name text not null,
  short_name text not null,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
