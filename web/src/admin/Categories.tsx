// /admin/kategori: the report categories; /admin/kategori/<code> edits one, /admin/kategori/baru adds one.
import { useState, type FormEvent } from 'react';
import type { Agency, CategoryView } from '@api';
import { request } from '../api';
import { Link, navigate } from '../router';
import { Spinner } from '../ui';
import { Check, Input, Select, Textarea } from './controls';
import { Msg, useAction, useLoad } from '../backoffice';
import { AdminTable, SectionHead } from './shared';
import { useAdminStrings, type AdminStrings } from './strings';

const QUESTION_TYPES = ['string', 'text', 'number', 'datetime', 'singlevaluelist', 'multivaluelist'];

export function Categories({ rest }: { rest: string[] }) {
  const cats = useLoad<{ categories: CategoryView[] }>('/report-categories?all=true');
  const agencies = useLoad<{ agencies: Agency[] }>('/agencies');
  const { s, lang } = useAdminStrings();

  if (cats.error || agencies.error) return <Msg ok={null} err={cats.error ?? agencies.error} />;
  if (!cats.data || !agencies.data) return <Spinner label={s.loading} />;
  const agencyList = agencies.data.agencies;

  if (rest[0] === 'baru') return <CategoryForm key="new" agencies={agencyList} onSaved={cats.reload} />;
  if (rest[0]) {
    const cat = cats.data.categories.find((c) => c.code === rest[0]);
    if (!cat) return <Msg ok={null} err={s.notFound} />;
    return <CategoryForm key={cat.code} category={cat} agencies={agencyList} onSaved={cats.reload} />;
  }

  const agencyName = (code: string) => agencyList.find((a) => a.code === code)?.shortName ?? code;
  return (
    <section className="ad-section">
      <SectionHead title={s.catTitle} lead={s.catLead}>
        <Link to="/admin/kategori/baru" className="btn btn--primary">
          {s.catAdd}
        </Link>
      </SectionHead>
      <AdminTable columns={[s.colName, s.colAgency, s.colFirst, s.colDeadlines, s.colEmergency, s.colActive]} actions={s.colActions} items={cats.data.categories}>
        {(c) => (
          <tr key={c.code} className={c.active ? undefined : 'is-inactive'}>
            <td>
              <strong>{c.name[lang]}</strong>
              <span className="ad-sub mono">{c.code}</span>
            </td>
            <td>{agencyName(c.agencyCode)}</td>
            <td>{s.firstHandler[c.firstHandler]}</td>
            <td className="ad-nowrap">
              {c.deadlines.verify} / {c.deadlines.dispatch} / {c.deadlines.resolve} {c.emergency ? s.unitHours : s.unitDays}
            </td>
            <td>{c.emergency ? <span className="ad-badge ad-badge--emergency">{s.yes}</span> : s.no}</td>
            <td>
              <span className={'ad-badge ' + (c.active ? 'ad-badge--ok' : 'ad-badge--off')}>{c.active ? s.active : s.inactive}</span>
            </td>
            <td className="ad-actions">
              <Link to={'/admin/kategori/' + encodeURIComponent(c.code)} className="btn btn--secondary btn--small" aria-label={s.editCat(c.name[lang])}>
                {s.edit}
              </Link>
            </td>
          </tr>
        )}
      </AdminTable>
    </section>
  );
}

interface QDraft {
  code: string;
  labelId: string;
  labelEn: string;
  datatype: string;
  required: boolean;
  values: string;
}

function toDraft(q: CategoryView['questions'][number]): QDraft {
  return {
    code: q.code,
    labelId: q.label.id,
    labelEn: q.label.en,
    datatype: q.datatype,
    required: q.required,
    values: (q.values ?? []).map((v) => `${v.key} | ${v.name.id} | ${v.name.en}`).join('\n'),
  };
}

function fromDraft(q: QDraft, order: number) {
  const isList = q.datatype.endsWith('valuelist');
  return {
    code: q.code.trim(),
    label: { id: q.labelId.trim(), en: q.labelEn.trim() || q.labelId.trim() },
    datatype: q.datatype,
    required: q.required,
    order,
    ...(isList
      ? {
          values: q.values
            .split('\n')
            .map((l) => l.split('|').map((p) => p.trim()))
            .filter((p) => p[0])
            .map(([key, nid, nen]) => ({ key: key!, name: { id: nid || key!, en: nen || nid || key! } })),
        }
      : {}),
  };
}

function CategoryForm({ category, agencies, onSaved }: { category?: CategoryView; agencies: Agency[]; onSaved: () => void }) {
  const { s, lang } = useAdminStrings();
  const c = category;
  const [code, setCode] = useState(c?.code ?? '');
  const [nameId, setNameId] = useState(c?.name.id ?? '');
  const [nameEn, setNameEn] = useState(c?.name.en ?? '');
  const [descId, setDescId] = useState(c?.description?.id ?? '');
  const [descEn, setDescEn] = useState(c?.description?.en ?? '');
  const [group, setGroup] = useState(c?.group ?? 'umum');
  const [icon, setIcon] = useState(c?.icon ?? 'alert');
  const [agencyCode, setAgencyCode] = useState(c?.agencyCode ?? '');
  const [firstHandler, setFirstHandler] = useState<'kelurahan' | 'opd'>(c?.firstHandler ?? 'kelurahan');
  const [emergency, setEmergency] = useState(c?.emergency ?? false);
  const [active, setActive] = useState(c?.active ?? true);
  const [sortOrder, setSortOrder] = useState(String(c?.sortOrder ?? 0));
  const [verify, setVerify] = useState(String(c?.deadlines.verify ?? 1));
  const [dispatch, setDispatch] = useState(String(c?.deadlines.dispatch ?? 1));
  const [resolve, setResolve] = useState(String(c?.deadlines.resolve ?? 5));
  const [questions, setQuestions] = useState<QDraft[]>((c?.questions ?? []).map(toDraft));
  const { busy, ok, err, run } = useAction();

  const setQ = (i: number, patch: Partial<QDraft>) => setQuestions((qs) => qs.map((q, j) => (j === i ? { ...q, ...patch } : q)));

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      name: { id: nameId.trim(), en: nameEn.trim() || nameId.trim() },
      description: descId.trim() ? { id: descId.trim(), en: descEn.trim() || descId.trim() } : null,
      group: group.trim(),
      icon: icon.trim(),
      agencyCode,
      firstHandler,
      emergency,
      active,
      sortOrder: Number(sortOrder) || 0,
      deadlines: { verify: Number(verify), dispatch: Number(dispatch), resolve: Number(resolve) },
      questions: questions.map(fromDraft),
    };
    void run(async () => {
      if (c) {
        await request('PATCH', '/report-categories/' + encodeURIComponent(c.code), body);
        onSaved();
        return s.catSaved;
      }
      await request('POST', '/report-categories', { code: code.trim(), ...body });
      onSaved();
      navigate('/admin/kategori/' + encodeURIComponent(code.trim()));
    });
  }

  const title = c ? s.editCat(c.name[lang]) : s.newCat;
  return (
    <section className="ad-section">
      <Link to="/admin/kategori" className="ad-back">
        {s.back}
      </Link>
      <SectionHead title={title} lead={s.catLead} />
      <form className="ad-form card" onSubmit={submit} noValidate>
        <div className="ad-grid">
          {!c && <Input label={s.code} hint={s.codeHint} value={code} onChange={setCode} required />}
          <Input label={s.nameId} value={nameId} onChange={setNameId} required />
          <Input label={s.nameEn} value={nameEn} onChange={setNameEn} />
          <Input label={s.descId} value={descId} onChange={setDescId} />
          <Input label={s.descEn} value={descEn} onChange={setDescEn} />
          <Select label={s.agency} value={agencyCode} onChange={setAgencyCode} required>
            <option value="">{s.choose}</option>
            {agencies.map((a) => (
              <option key={a.code} value={a.code}>
                {a.shortName} — {a.name}
              </option>
            ))}
          </Select>
          <Select label={s.colFirst} value={firstHandler} onChange={(v) => setFirstHandler(v as 'kelurahan' | 'opd')}>
            <option value="kelurahan">{s.firstHandler.kelurahan}</option>
            <option value="opd">{s.firstHandler.opd}</option>
          </Select>
          <Input label={s.group} value={group} onChange={setGroup} />
          <Input label={s.icon} value={icon} onChange={setIcon} />
          <Input label={s.sortOrder} type="number" value={sortOrder} onChange={setSortOrder} />
        </div>
        <div className="ad-checks">
          <Check label={s.emergency} checked={emergency} onChange={setEmergency} />
          <Check label={s.activeLabel} checked={active} onChange={setActive} />
        </div>
        <fieldset className="ad-fieldset">
          <legend>
            {s.deadlines} ({emergency ? s.unitHours : s.unitDays})
          </legend>
          <p className="hint">{emergency ? s.deadlinesHintHours : s.deadlinesHintDays}</p>
          <div className="ad-grid ad-grid--3">
            <Input label={s.dVerify} type="number" min="0" step="any" value={verify} onChange={setVerify} />
            <Input label={s.dDispatch} type="number" min="0" step="any" value={dispatch} onChange={setDispatch} />
            <Input label={s.dResolve} type="number" min="0" step="any" value={resolve} onChange={setResolve} />
          </div>
        </fieldset>
        <fieldset className="ad-fieldset">
          <legend>{s.questions}</legend>
          <p className="hint">{s.questionsHint}</p>
          {questions.length === 0 && <p className="muted">{s.noQuestions}</p>}
          {questions.map((q, i) => (
            <QuestionEditor key={i} n={i + 1} q={q} s={s} onChange={(p) => setQ(i, p)} onRemove={() => setQuestions((qs) => qs.filter((_, j) => j !== i))} />
          ))}
          <button type="button" className="btn btn--secondary btn--small" onClick={() => setQuestions((qs) => [...qs, { code: '', labelId: '', labelEn: '', datatype: 'string', required: false, values: '' }])}>
            + {s.qAdd}
          </button>
        </fieldset>
        <Msg ok={ok} err={err} />
        <div className="ad-buttons">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? s.saving : s.save}
          </button>
          <Link to="/admin/kategori" className="btn btn--secondary">
            {s.cancel}
          </Link>
        </div>
      </form>
    </section>
  );
}

function QuestionEditor({ n, q, s, onChange, onRemove }: { n: number; q: QDraft; s: AdminStrings; onChange: (p: Partial<QDraft>) => void; onRemove: () => void }) {
  return (
    <fieldset className="ad-question">
      <legend>{s.qN(n)}</legend>
      <div className="ad-grid">
        <Input label={s.qCode} value={q.code} onChange={(v) => onChange({ code: v })} />
        <Select label={s.qType} value={q.datatype} onChange={(v) => onChange({ datatype: v })}>
          {QUESTION_TYPES.map((t) => (
            <option key={t} value={t}>
              {s.qTypes[t]}
            </option>
          ))}
        </Select>
        <Input label={s.qLabelId} value={q.labelId} onChange={(v) => onChange({ labelId: v })} />
        <Input label={s.qLabelEn} value={q.labelEn} onChange={(v) => onChange({ labelEn: v })} />
      </div>
      {q.datatype.endsWith('valuelist') && <Textarea label={s.qValues} hint={s.qValuesHint} value={q.values} onChange={(v) => onChange({ values: v })} />}
      <div className="ad-question-foot">
        <Check label={s.qRequired} checked={q.required} onChange={(v) => onChange({ required: v })} />
        <button type="button" className="btn btn--secondary btn--small ad-danger" onClick={onRemove} aria-label={`${s.qRemove} ${n}`}>
          {s.qRemove}
        </button>
      </div>
    </fieldset>
  );
}
