/** Factor pages: the list (built-ins and yours, with stored values), one factor (coverage, compute form, versions), the editor. */
import type { UserFactor } from '../../src/factors/factor.types.ts';
import type { FactorDetail, FactorList } from '../../src/factors/factor-catalogue.service.ts';
import type { FactorCoverage } from '../../src/factors/factors.service.ts';
import { DeleteButton } from '../confirm.tsx';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';

const day = (ymd: number) => `${String(ymd).slice(0, 4)}-${String(ymd).slice(4, 6)}-${String(ymd).slice(6, 8)}`;

function Coverage(props: { chrome: PageChrome; c: FactorCoverage | null }) {
  const { t, fmt } = props.chrome;
  if (!props.c) return <span class="muted">{t('factors.notComputed')}</span>;
  return <span>{t('factors.coverage', { rows: fmt.int(props.c.rows), codes: fmt.int(props.c.codes), from: day(props.c.first), to: day(props.c.last) })}</span>;
}

export function FactorsPage(props: { chrome: PageChrome; list: FactorList; canCreate: boolean }) {
  const { t } = props.chrome;
  const { list } = props;
  return (
    <Layout chrome={props.chrome} title={t('factors.title')} section="factors">
      <div class="toolbar">
        <h1>{t('factors.title')}</h1>
        {props.canCreate ? <a class="button" href="/factors/new">{t('factors.new')}</a> : null}
      </div>
      <p class="lead">{t('factors.lead')}</p>
      <h2>{t('factors.builtin')}</h2>
      <div class="table-scroll">
        <table>
          <thead><tr><th>{t('factors.colFactor')}</th><th>{t('factors.colMeaning')}</th><th>{t('factors.colStored')}</th><th>{t('factors.colActions')}</th></tr></thead>
          <tbody>
            {list.builtin.map((b) => {
              const main = b.stored.find((s) => s.id === b.info.id) ?? null;
              const others = b.stored.filter((s) => s.id !== b.info.id);
              return (
                <tr>
                  <td><a href={`/factors/${b.info.id}`}>{b.info.title}</a><div class="muted small"><code>{b.info.id}</code></div></td>
                  <td class="muted small">{b.info.description}</td>
                  <td class="small">
                    <Coverage chrome={props.chrome} c={main?.coverage ?? null} />
                    {others.length ? <div class="muted">{t('factors.otherWindows')} {others.map((o, i) => <>{i ? ', ' : ''}<a href={`/factors/${o.id}`}>{o.id}</a></>)}</div> : null}
                  </td>
                  <td class="nowrap"><a href={`/factors/${b.info.id}`}>{t('factors.compute')}</a> · <a href={`/factors/${b.info.id}/analyses/new`}>{t('factors.analyse')}</a></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h2>{t('factors.mine')}</h2>
      {list.mine.length === 0 ? (
        <p class="muted">{t('factors.noneMine')} {props.canCreate ? <a href="/factors/new">{t('factors.writeOne')}</a> : null}</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead><tr><th>{t('factors.colFactor')}</th><th>{t('factors.colMeaning')}</th><th class="num">{t('factors.colVersion')}</th><th>{t('factors.colStored')}</th><th>{t('factors.colActions')}</th></tr></thead>
            <tbody>
              {list.mine.map((m) => (
                <tr>
                  <td><a href={`/factors/u${m.factor.id}`}>{m.factor.name}</a><div class="muted small"><code>u{m.factor.id}</code>{m.factor.ownerName && props.chrome.username !== m.factor.ownerName ? <> · {m.factor.ownerName}</> : null}</div></td>
                  <td class="muted small">{m.factor.description}</td>
                  <td class="num">{t('factors.versionTag', { version: m.factor.version })}</td>
                  <td class="small"><Coverage chrome={props.chrome} c={m.coverage} /></td>
                  <td class="nowrap"><a href={`/factors/u${m.factor.id}`}>{t('factors.compute')}</a> · <a href={`/factors/u${m.factor.id}/analyses/new`}>{t('factors.analyse')}</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export interface ComputeFormValues {
  n: string;
  start: string;
  end: string;
  codes: string;
}

export function FactorPage(props: {
  chrome: PageChrome;
  d: FactorDetail;
  window: { min: number; max: number; n: number } | null;
  canCompute: boolean;
  canChange: boolean;
  form: ComputeFormValues;
  error: { field: string; message: string } | null;
  queuedRun: number | null;
}) {
  const { t, fmt } = props.chrome;
  const { d, form, error } = props;
  const f = d.user?.factor ?? null;
  return (
    <Layout chrome={props.chrome} title={d.ref.title} section="factors">
      <p><a href="/factors">{t('factors.back')}</a></p>
      <h1>{d.ref.title} {d.ref.kind === 'builtin' ? <span class="tag">{t('factors.builtinTag')}</span> : <span class="tag">{t('factors.versionTag', { version: d.ref.version ?? 0 })}</span>}</h1>
      {d.description ? <p class="lead">{d.description}</p> : null}
      <p class="small">{t.rich('factors.idLine', { c1: (s) => <code>{s}</code>, c2: (s) => <code>{s}</code> }, { id: d.ref.id, key: d.ref.key })}</p>
      {props.queuedRun ? <div class="notice" role="status"><p>{t.rich('factors.queued', { link: (s) => <a href={`/runs/${props.queuedRun}`}>{s}</a> }, { id: props.queuedRun })}</p></div> : null}
      <div class="run-controls">
        <a class="button" href={`/factors/${d.ref.id}/analyses/new`}>{t('factors.analyse')}</a>
        {props.canChange && f ? <a class="button secondary" href={`/factors/u${f.id}/edit`}>{t('factors.edit')}</a> : null}
        {props.canChange && f ? <DeleteButton chrome={props.chrome} action={`/factors/u${f.id}/delete`} question={t('factors.deleteQuestion', { name: f.name })} label={t('factors.delete')} /> : null}
      </div>
      <h2>{t('factors.storedTitle')}</h2>
      <p><Coverage chrome={props.chrome} c={d.coverage} /></p>
      <p class="muted small">{t.rich('factors.useInStrategy', { c1: (s) => <code>{s}</code> }, { key: d.ref.key })}</p>
      {props.canCompute ? (
        <section>
          <h2>{t('factors.computeTitle')}</h2>
          <p class="muted small">{t('factors.computeHelp')}</p>
          {error ? <section class="error-box" role="alert"><p>{error.message}</p></section> : null}
          <form method="post" action={`/factors/${d.ref.id}/compute`} class="create-form" id="compute-form">
            <CsrfField chrome={props.chrome} />
            <div class="row-fields">
              {props.window ? (
                <label class={error?.field === 'n' ? 'invalid' : ''}>{t('factors.window')}<input type="number" name="n" value={form.n} min={props.window.min} max={props.window.max} step={1} required /></label>
              ) : null}
              <label class={error?.field === 'start_date' ? 'invalid' : ''}>{t('factors.start')}<input type="date" name="start_date" value={form.start} /></label>
              <label class={error?.field === 'end_date' ? 'invalid' : ''}>{t('factors.end')}<input type="date" name="end_date" value={form.end} /></label>
            </div>
            <label class={error?.field === 'codes' ? 'invalid' : ''}>{t('factors.codes')}<input type="text" name="codes" value={form.codes} placeholder={t('factors.codesPlaceholder')} class="wide" /></label>
            <p><button type="submit">{t('factors.submit')}</button></p>
          </form>
        </section>
      ) : null}
      {f ? (
        <>
          <h2>{t('factors.code')} <span class="muted small">{t('factors.codeMeta', { language: f.language, version: f.version })}</span></h2>
          <pre class="code-view"><code>{f.code}</code></pre>
          <h2>{t('factors.versions')}</h2>
          <ul>
            {d.versions.map((v) => (
              <li>
                {t.rich('factors.versionLine', { link: (s) => <a href={`/factors/u${f.id}v${v.version}`}>{s}</a> }, { version: v.version, at: fmt.dateTime(v.created_at, props.chrome.timeZone), zone: props.chrome.timeZone })} · <Coverage chrome={props.chrome} c={v.coverage} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Layout>
  );
}

export interface FactorEditorValues {
  name: string;
  description: string;
  language: 'js' | 'ts';
  code: string;
}

export function FactorEditorPage(props: { chrome: PageChrome; factor: UserFactor | null; v: FactorEditorValues; error: { field: string; message: string; line: number | null } | null }) {
  const { t } = props.chrome;
  const { v, error, factor } = props;
  const title = factor ? t('factors.editTitle', { name: factor.name }) : t('factors.newTitle');
  return (
    <Layout chrome={props.chrome} title={title} section="factors">
      <p><a href={factor ? `/factors/u${factor.id}` : '/factors'}>{t('factors.back')}</a></p>
      <h1>{title}</h1>
      {error ? <section class="error-box" role="alert"><p><strong>{t('factors.notSaved')}</strong> {error.message}</p></section> : null}
      <form method="post" action={factor ? `/factors/u${factor.id}/edit` : '/factors/new'} class="create-form">
        <CsrfField chrome={props.chrome} />
        <div class="row-fields">
          <label class={error?.field === 'name' ? 'invalid' : ''}>{t('factors.name')}<input type="text" name="name" value={v.name} required maxlength={100} /></label>
          <label>{t('factors.language')}
            <select name="language">
              <option value="js" selected={v.language === 'js'}>{t('factors.js')}</option>
              <option value="ts" selected={v.language === 'ts'}>{t('factors.ts')}</option>
            </select>
          </label>
        </div>
        <label>{t('factors.description')}<input type="text" name="description" value={v.description} maxlength={2000} class="wide" /></label>
        <label class={error?.field === 'code' ? 'invalid' : ''}>{t('factors.codeLabel')}
          <div class="editor">
            <div class="gutter" id="code-gutter" aria-hidden="true"></div>
            <textarea id="code-editor" name="code" class="code code-editor" spellcheck={false} data-gutter="code-gutter" data-error-line={error?.line ? String(error.line) : undefined} rows={24}>{v.code}</textarea>
          </div>
        </label>
        <p><button type="submit">{t('factors.save')}</button></p>
      </form>
    </Layout>
  );
}
