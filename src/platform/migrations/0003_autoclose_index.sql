-- The job that closes resolutions nobody disputed asks for the oldest report still `resolved`. Through
-- `reports_resolved` (every report ever resolved, closed ones included) each claim walked the city's whole
-- closed history before finding one: at a million reports about half a second per report closed, every
-- minute, on one connection. This index holds only the reports waiting to be closed.
create index reports_awaiting_close on reports (resolved_at) where status = 'resolved';
