// /petugas/klaim-nik — the coordinator decides the NIK claims an officer could not settle alone:
// who claims, where it was filed, whether an account holds the NIK, and the holder's objection.
import { useId, useState } from 'react';
import type { PendingNikClaim } from '@api';
import { request } from '../api';
import { Msg, useAction, useLoad, WhenLoaded } from '../backoffice';
import { useSession } from '../session';
import { Alert, PageTitle, TextAreaField } from '../ui';
import { formatDateTime } from './shared';
import { useOfficerStrings, type OfficerStrings } from './strings';

export function NikClaims() {
  const { s, lang } = useOfficerStrings();
  const { me, city } = useSession();
  const coordinator = me?.role === 'coordinator';
  const claims = useLoad<{ claims: PendingNikClaim[] }>(coordinator ? '/identity/nik-claims' : null);
  const action = useAction();
  const when = (iso: string) => formatDateTime(iso, lang, city?.timezone);

  return (
    <div className="of-page bo">
      <PageTitle title={s.claimsTitle}>{s.claimsTitle}</PageTitle>
      <p className="muted of-lead">{s.claimsLead}</p>
      {!coordinator ? (
        <Alert kind="info">{s.claimsOnlyCoordinator}</Alert>
      ) : (
        <>
          <Msg ok={action.ok} err={action.err} />
          <WhenLoaded load={claims} loading={s.loading}>
            {(data) =>
              data.claims.length === 0 ? (
                <p className="muted">{s.claimsNone}</p>
              ) : (
                <ul className="of-claims">
                  {data.claims.map((c) => (
                    <ClaimCard key={c.id} claim={c} s={s} when={when} busy={action.busy} decide={(run) => void action.run(run).then((done) => done && claims.reload())} />
                  ))}
                </ul>
              )
            }
          </WhenLoaded>
        </>
      )}
    </div>
  );
}

function ClaimCard({
  claim,
  s,
  when,
  busy,
  decide,
}: {
  claim: PendingNikClaim;
  s: OfficerStrings;
  when: (iso: string) => string;
  busy: boolean;
  decide: (run: () => Promise<string>) => void;
}) {
  const id = useId();
  const [note, setNote] = useState('');
  const [missingReason, setMissingReason] = useState(false);

  function approve() {
    if (!window.confirm(s.claimConfirmApprove(claim.nikMasked))) return;
    decide(async () => {
      await request('POST', `/identity/nik-claims/${claim.id}/approve`, note.trim() ? { note: note.trim() } : {});
      return s.claimApproved(claim.nikMasked);
    });
  }

  function reject() {
    if (note.trim().length < 3) {
      setMissingReason(true);
      return;
    }
    setMissingReason(false);
    decide(async () => {
      await request('POST', `/identity/nik-claims/${claim.id}/reject`, { reason: note.trim() });
      return s.claimRejected(claim.nikMasked);
    });
  }

  return (
    <li className="card of-claim" aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'} className="mono">
        {claim.nikMasked}
      </h2>
      <dl className="of-claim-facts">
        <div>
          <dt>{s.claimant}</dt>
          <dd>
            {claim.claimantName} · <span className="mono">{claim.phoneMasked}</span>
          </dd>
        </div>
        <div>
          <dt>{s.claimFiledBy(claim.officer.scopeName ?? claim.officer.scope ?? '—', when(claim.createdAt))}</dt>
          <dd>{claim.note ?? '—'}</dd>
        </div>
        <div>
          <dt>{s.claimHolder}</dt>
          <dd>{claim.hasHolder ? s.claimHasHolder : s.claimNoHolder}</dd>
        </div>
      </dl>
      {claim.objection && (
        <div className="alert alert--error" role="note">
          <p>
            <strong>{s.claimObjection(when(claim.objection.at))}</strong>
          </p>
          <p>{claim.objection.text}</p>
        </div>
      )}
      <TextAreaField
        label={s.claimDecisionNote}
        hint={s.claimDecisionHint}
        error={missingReason ? s.claimReasonNeeded : undefined}
        rows={2}
        maxLength={500}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <div className="of-claim-actions">
        <button type="button" className="btn btn--primary btn--small" onClick={approve} disabled={busy}>
          {s.claimApprove}
        </button>
        <button type="button" className="btn btn--secondary btn--small" onClick={reject} disabled={busy}>
          {s.claimReject}
        </button>
      </div>
    </li>
  );
}
