-- What the delivery log shows is decided when a delivery is written (the notifications module knows the
-- report and its recipients then), so that listing and sending read no other module's tables: the
-- report's tracking number, whether the recipient is an officer (only an officer's account id is shown),
-- and whether the recipient is hidden because they may be the reporter of an anonymous report.
alter table notification_deliveries
  add column tracking_no text,
  add column recipient_is_officer boolean not null default false,
  add column recipient_hidden boolean not null default false;

-- Existing deliveries, by the rule the log applied when it read them: anyone but an officer notified about
-- an anonymous report, or an account notified about a report into which its anonymous report was merged.
update notification_deliveries d
set tracking_no = x.tracking_no, recipient_is_officer = x.is_officer, recipient_hidden = x.hidden
from (
  select d.id, r.tracking_no, coalesce(u.kind = 'officer', false) as is_officer,
    coalesce((r.privacy = 'anonymous' and u.kind is distinct from 'officer')
      or exists (select 1 from reports m where m.reporter_id = d.recipient_user_id and m.merged_into = d.report_id and m.privacy = 'anonymous'), false) as hidden
  from notification_deliveries d
    left join reports r on r.id = d.report_id
    left join users u on u.id = d.recipient_user_id
) x
where x.id = d.id;

-- Who is hidden beside a report is decided from the anonymous reports merged into it, once per event that
-- notifies someone about it: found through this index, not by reading every report.
create index reports_merged_into on reports (merged_into) where merged_into is not null;
