-- Files written before the transaction that refers to them (a report's photos) are announced here first,
-- in a transaction of their own that commits before any file is written; the transaction that stores
-- the rows referring to them deletes their intents. An intent still here after a grace period belongs
-- to a request that died in between (a crash, a kill): the sweep job deletes its file, which the file
-- store could not otherwise find, since it cannot list.
create table upload_intents (
  file_key text primary key,
  created_at timestamptz not null default now()
);
create index upload_intents_created on upload_intents (created_at);
