-- Citizen reports (Lapor): categories, reports, their timeline, photos, supporters, escalations,
-- the holiday calendar behind working-day deadlines, notification channels and Open311 keys.

create table holidays (
  date date primary key,
  name text not null,
  kind text not null check (kind in ('public', 'cuti_bersama')),
  -- 'date-holidays' for the seeded national calendar, 'admin' once a person has set or corrected it.
  source text not null default 'admin',
  updated_at timestamptz not null default now()
);

-- Years whose national holidays have been seeded, so a deleted holiday is not seeded again.
create table holiday_years (
  year integer primary key,
  seeded_at timestamptz not null default now()
);

create table report_categories (
  code text primary key,
  name_id text not null,
  name_en text not null,
  description_id text,
  description_en text,
  group_code text not null,
  icon text not null,
  agency_code text not null references agencies (code),
  -- Who handles a new report first: the kelurahan where it happened, or the OPD directly.
  first_handler text not null check (first_handler in ('kelurahan', 'opd')),
  emergency boolean not null default false,
  -- Stage deadlines: working days, or hours around the clock for emergency categories.
  verify_within numeric not null check (verify_within > 0),
  dispatch_within numeric not null check (dispatch_within > 0),
  resolve_within numeric not null check (resolve_within > 0),
  -- Extra questions, Open311 attribute types: [{code, label:{id,en}, datatype, required, values?, order}]
  questions jsonb not null default '[]',
  active boolean not null default true,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create sequence report_number_seq;

create table reports (
  id uuid primary key,
  number bigint not null unique,
  tracking_no text not null unique,
  category_code text not null references report_categories (code),
  description text not null,
  lat double precision,
  lng double precision,
  -- The same point as a geometric point (x = lng, y = lat) for the GiST index of map and nearby queries.
  location point,
  kelurahan_code text references regions (code),
  kecamatan_code text references regions (code),
  address text,
  answers jsonb not null default '{}',
  privacy text not null check (privacy in ('public', 'confidential', 'anonymous')),
  channel text not null check (channel in ('web', 'phone', 'walk_in', 'whatsapp', 'sp4n_lapor', 'open311')),
  reporter_id uuid references users (id),
  -- Reporters without an account (Open311, phone): encrypted JSON of their name, e-mail and phone.
  reporter_contact_enc text,
  entered_by uuid references users (id),
  open311_key_id uuid,
  open311_token text unique,
  status text not null check (status in ('submitted', 'verified', 'dispatched', 'in_progress', 'resolved', 'closed', 'rejected', 'merged')),
  emergency boolean not null default false,
  priority integer not null default 0,
  support_count integer not null default 0,
  -- The responsible OPD (from the category) and the unit holding the report now.
  agency_code text not null references agencies (code),
  handler_kind text not null check (handler_kind in ('kelurahan', 'kecamatan', 'opd', 'coordinator')),
  handler_code text not null,
  instruction text,
  merged_into uuid references reports (id),
  -- The deadline of the current stage, and of the resolution once dispatched.
  due_at timestamptz,
  resolve_due_at timestamptz,
  -- When to warn the handler that the deadline is near, and when they were warned.
  warn_at timestamptz,
  warned_at timestamptz,
  escalation_level integer not null default 0,
  next_escalation_at timestamptz,
  escalation_count integer not null default 0,
  submitted_at timestamptz not null default now(),
  verified_at timestamptz,
  dispatched_at timestamptz,
  started_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  rating integer check (rating between 1 and 5),
  rating_comment text,
  resolution_note text,
  status_reason text,
  updated_at timestamptz not null default now(),
  check ((lat is null) = (lng is null))
);

create index reports_submitted on reports (submitted_at);
create index reports_open on reports (due_at) where status in ('submitted', 'verified', 'dispatched', 'in_progress');
create index reports_handler on reports (handler_kind, handler_code) where status in ('submitted', 'verified', 'dispatched', 'in_progress', 'resolved');
create index reports_escalation_due on reports (next_escalation_at) where next_escalation_at is not null;
create index reports_warn_due on reports (warn_at) where warned_at is null and warn_at is not null;
create index reports_reporter on reports (reporter_id) where reporter_id is not null;
create index reports_kelurahan on reports (kelurahan_code, submitted_at);
create index reports_agency on reports (agency_code, submitted_at);
create index reports_location on reports using gist (location) where location is not null;
create index reports_resolved on reports (resolved_at) where resolved_at is not null;
create index reports_public_feed on reports (submitted_at desc, id desc) where status not in ('submitted', 'rejected', 'merged');

-- A retried submission with the same key returns the first report, never a second one.
create table report_idempotency (
  owner text not null,
  key text not null,
  request_hash text not null,
  report_id uuid not null references reports (id),
  created_at timestamptz not null default now(),
  primary key (owner, key)
);

-- The timeline: status changes, comments, internal notes, escalations, warnings.
create table report_events (
  id bigserial primary key,
  report_id uuid not null references reports (id),
  kind text not null check (kind in ('status', 'comment', 'note', 'dispatch', 'escalation', 'warning', 'support', 'moderation', 'merge')),
  from_status text,
  to_status text,
  actor_id uuid references users (id),
  actor_role text,
  -- 'public': the reporter and supporters see it; 'officers': internal.
  visibility text not null check (visibility in ('public', 'officers')),
  note text,
  data jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index report_events_report on report_events (report_id, id);

create table report_photos (
  id uuid primary key,
  report_id uuid not null references reports (id),
  purpose text not null check (purpose in ('report', 'resolution')),
  file_key text not null,
  thumb_key text not null,
  content_type text not null,
  width integer not null,
  height integer not null,
  bytes integer not null,
  sha256 text not null,
  -- Shown to the public only once an officer has checked it (faces, number plates, hateful content).
  moderation text not null default 'pending' check (moderation in ('pending', 'approved', 'rejected')),
  moderated_by uuid references users (id),
  moderated_at timestamptz,
  uploaded_by uuid references users (id),
  created_at timestamptz not null default now()
);
create index report_photos_report on report_photos (report_id);

create table report_supporters (
  report_id uuid not null references reports (id),
  user_id uuid not null references users (id),
  created_at timestamptz not null default now(),
  primary key (report_id, user_id)
);
create index report_supporters_user on report_supporters (user_id);

create table report_escalations (
  id bigserial primary key,
  report_id uuid not null references reports (id),
  level integer not null,
  stage text not null,
  -- Whom the escalation reached: a user (the lurah, camat, head of OPD) or the pimpinan role.
  target_user_id uuid references users (id),
  target_label text not null,
  agency_code text not null,
  kecamatan_code text,
  kelurahan_code text,
  handler_kind text not null,
  handler_code text not null,
  created_at timestamptz not null default now()
);
create index report_escalations_report on report_escalations (report_id);
create index report_escalations_created on report_escalations (created_at);

-- Delivery channels for notifications; secrets inside `config_enc` are encrypted.
create table notification_channels (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('console', 'smtp', 'webhook')),
  name text not null,
  config_enc text not null,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Deleted by the admin: kept because deliveries refer to it.
  deleted_at timestamptz
);

-- One row per message and channel; the job runner retries failures with back-off.
create table notification_deliveries (
  id bigserial primary key,
  channel_id uuid not null references notification_channels (id),
  recipient_user_id uuid references users (id),
  -- Encrypted address (phone or e-mail) for recipients without an account, and the message text.
  recipient_enc text,
  topic text not null,
  subject text not null,
  body_enc text not null,
  report_id uuid references reports (id),
  -- The outbox event, channel and recipient this delivery came from: a re-run subscriber adds nothing twice.
  dedupe_key text not null unique,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'skipped')),
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index notification_deliveries_status on notification_deliveries (status, id);

create table open311_keys (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  key_hash text not null unique,
  key_prefix text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);

alter table users add column email_enc text;
