/** Strategy pages: the list (built-in templates and yours), a strategy's view, and the editor. */
import type { BuiltinStrategy, UserStrategy } from '../../src/strategies/strategy.types.ts';
import { DeleteButton } from '../confirm.tsx';
import { CsrfField, Layout, type MessageKey, type PageChrome, type T } from '../layout.tsx';
import { schemaProps, shownBound } from '../backtests/params-form.tsx';
import type { CtxSection } from '../../src/strategies/ctx-reference.ts';
import { CtxReferencePanel } from './ctx-reference.tsx';
import { localTime } from '../backtests/format.ts';

const categories = new Set(['trend', 'momentum', 'mean_reversion', 'value', 'volume', 'grid', 'custom']);
const catLabel = (t: T, c: string) => (categories.has(c) ? t(`strategies.cat.${c}` as MessageKey) : c.replace('_', ' '));

export function StrategiesPage(props: { chrome: PageChrome; builtins: BuiltinStrategy[]; mine: UserStrategy[]; q: string; category: string; categories: readonly string[]; canCreate: boolean }) {
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('strategies.title')} section="strategies">
      <div class="toolbar">
        <h1>{t('strategies.title')}</h1>
        {props.canCreate ? <a class="button" href="/strategies/new">{t('strategies.new')}</a> : null}
      </div>
      <form method="get" action="/strategies" class="filters">
        <label>{t('strategies.search')}<input type="search" name="q" value={props.q} placeholder={t('strategies.searchPlaceholder')} /></label>
        <label>{t('strategies.category')}
          <select name="category">
            <option value="">{t('strategies.any')}</option>
            {props.categories.map((c) => <option value={c} selected={props.category === c}>{catLabel(t, c)}</option>)}
          </select>
        </label>
        <button type="submit" class="secondary">{t('strategies.filter')}</button>
      </form>
      <h2>{t('strategies.mine')}</h2>
      {props.mine.length === 0 ? (
        <p class="muted">{t(props.q || props.category ? 'strategies.noneMatch' : 'strategies.noneYet')}{props.canCreate ? <> {t.rich('strategies.writeOne', { link: (s) => <a href="/strategies/new">{s}</a> })}</> : null}</p>
      ) : (
        <table>
          <thead><tr><th>{t('strategies.col.name')}</th><th>{t('strategies.category')}</th><th>{t('strategies.col.description')}</th><th class="num">{t('strategies.col.version')}</th><th>{t('strategies.col.updated', { zone: props.chrome.timeZone })}</th><th></th></tr></thead>
          <tbody>
            {props.mine.map((s) => (
              <tr>
                <td><a href={`/strategies/${s.id}`}>{s.name}</a>{s.ownerName && props.chrome.username !== s.ownerName ? <div class="muted small">{s.ownerName}</div> : null}</td>
                <td><span class="tag">{catLabel(t, s.category)}</span></td>
                <td class="muted">{s.description}</td>
                <td class="num">v{s.version}</td>
                <td class="small">{localTime(s.updatedAt, props.chrome.timeZone).slice(0, 16)}</td>
                <td class="nowrap"><a href={`/backtests/new?strategy=user:${s.id}`}>{t('strategies.use')}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('strategies.builtins')}</h2>
      <div class="strategy-grid">
        {props.builtins.map((b) => (
          <div class="card">
            <h2><a href={`/strategies/builtin/${b.name}`}>{b.title}</a> <span class="tag">{catLabel(t, b.category)}</span></h2>
            <p>{b.description}</p>
            <p class="small"><code>{b.name}</code> · {t('strategies.paramCount', { count: schemaProps(b.paramsSchema).length })} · <a href={`/backtests/new?strategy=builtin:${b.name}`}>{t('strategies.use')}</a></p>
          </div>
        ))}
      </div>
    </Layout>
  );
}

/** "1 … 60", "≥ 1", "≤ 0.5" or nothing: only the bounds a parameter has (zod's ±2^53−1 is none). */
function rangeOf(p: { minimum?: number; exclusiveMinimum?: number; maximum?: number; exclusiveMaximum?: number }): string {
  const lo = shownBound(p.minimum ?? p.exclusiveMinimum), hi = shownBound(p.maximum ?? p.exclusiveMaximum);
  if (lo !== undefined && hi !== undefined) return `${lo} … ${hi}`;
  if (lo !== undefined) return `${p.minimum === undefined ? '>' : '≥'} ${lo}`;
  if (hi !== undefined) return `${p.maximum === undefined ? '<' : '≤'} ${hi}`;
  return '';
}

export function ParamsTable(props: { t: T; schema: unknown }) {
  const { t } = props;
  const entries = schemaProps(props.schema);
  if (!entries.length) return <p class="muted">{t('strategies.noParams')}</p>;
  return (
    <table>
      <thead><tr><th>{t('strategies.col.param')}</th><th>{t('strategies.col.type')}</th><th class="num">{t('strategies.col.default')}</th><th>{t('strategies.col.range')}</th><th>{t('strategies.col.meaning')}</th></tr></thead>
      <tbody>
        {entries.map(([n, p]) => (
          <tr>
            <td><code>{n}</code></td>
            <td>{String(p.type ?? '')}</td>
            <td class="num">{p.default === undefined ? '' : String(p.default)}</td>
            <td class="small">{rangeOf(p)}</td>
            <td class="muted">{p.description ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BuiltinPage(props: { chrome: PageChrome; b: BuiltinStrategy; canCreate: boolean }) {
  const b = props.b;
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={b.title} section="strategies">
      <p><a href="/strategies">{t('strategies.back')}</a></p>
      <h1>{b.title} <span class="tag">{t('strategies.builtinTag')}</span></h1>
      <p class="lead">{b.description}</p>
      <p>{props.canCreate ? <a class="button" href={`/backtests/new?strategy=builtin:${b.name}`}>{t('strategies.use')}</a> : null}</p>
      <h2>{t('strategies.params')}</h2>
      <ParamsTable t={t} schema={b.paramsSchema} />
      <p class="muted small">{t.rich('strategies.apiName', { c1: (x) => <code>{x}</code>, c2: (x) => <code>{x}</code> }, { name: b.name, body: `{"strategy":"${b.name}","params":{…}}` })}</p>
    </Layout>
  );
}

export function StrategyPage(props: { chrome: PageChrome; s: UserStrategy; versions: { id: number; version: number; created_at: Date }[]; canChange: boolean; notice?: string | null }) {
  const s = props.s;
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={s.name} section="strategies">
      <p><a href="/strategies">{t('strategies.back')}</a></p>
      {props.notice ? <div class="notice" role="status"><p>{props.notice}</p></div> : null}
      <h1>{s.name} <span class="tag">{catLabel(t, s.category)}</span> <span class="tag">v{s.version}</span></h1>
      {s.description ? <p class="lead">{s.description}</p> : null}
      <div class="run-controls">
        <a class="button" href={`/backtests/new?strategy=user:${s.id}`}>{t('strategies.use')}</a>
        {props.canChange ? <a class="button secondary" href={`/strategies/${s.id}/edit`}>{t('strategies.edit')}</a> : null}
        {props.canChange ? (
          <DeleteButton chrome={props.chrome} action={`/strategies/${s.id}/delete`} question={t('strategies.deleteQuestion', { name: s.name })} />
        ) : null}
      </div>
      <h2>{t('strategies.params')}</h2>
      <ParamsTable t={t} schema={s.paramsSchema} />
      <h2>{t('strategies.code')} <span class="muted small">{t('strategies.codeHint', { language: s.language === 'ts' ? 'TypeScript' : 'JavaScript', version: s.version })}</span></h2>
      <pre class="code-view"><code>{s.code}</code></pre>
      <h2>{t('strategies.versions')}</h2>
      <p class="muted small">{t('strategies.versionsHint')}</p>
      <ul>{props.versions.map((v) => <li>{t('strategies.versionAt', { version: v.version, time: localTime(v.created_at, props.chrome.timeZone), zone: props.chrome.timeZone })}</li>)}</ul>
    </Layout>
  );
}

export interface EditorValues {
  name: string;
  description: string;
  category: string;
  language: 'js' | 'ts';
  code: string;
}

export function EditorPage(props: { chrome: PageChrome; id: number | null; v: EditorValues; categories: readonly string[]; template: string; error: { field: string; message: string; line?: number | null } | null; reference: readonly CtxSection[] }) {
  const { v, error } = props;
  const action = props.id ? `/strategies/${props.id}` : '/strategies';
  const { t } = props.chrome;
  const heading = props.id ? t('strategies.editTitle', { name: v.name }) : t('strategies.new');
  return (
    <Layout chrome={props.chrome} title={heading} section="strategies">
      <p><a href={props.id ? `/strategies/${props.id}` : '/strategies'}>{props.id ? `← ${v.name}` : t('strategies.back')}</a></p>
      <h1>{heading}</h1>
      {error ? <section class="error-box" role="alert"><p><strong>{t('strategies.notSaved')}</strong> {error.message}</p></section> : null}
      <form method="post" action={action} class="create-form">
        <CsrfField chrome={props.chrome} />
        <div class="row-fields">
          <label class={error?.field === 'name' ?  'invalid' : ''}>{t('strategies.name')}<input type="text" name="name" value={v.name} required maxlength={100} /></label>
          <label>{t('strategies.category')}
            <select name="category">{props.categories.map((c) => <option value={c} selected={v.category === c}>{catLabel(t, c)}</option>)}</select>
          </label>
          <label>{t('strategies.language')}
            <select name="language">
              <option value="js" selected={v.language === 'js'}>JavaScript</option>
              <option value="ts" selected={v.language === 'ts'}>TypeScript</option>
            </select>
          </label>
        </div>
 <label>{t('strategies.description')}<input type="text" name="description" value={v.description} maxlength={2000} class="wide" /></label>
        <div class="toolbar">
          <label class="plain">{t('strategies.code')} <span class="muted small">{t('strategies.codeLabelHint')}</span></label>
          <button type="button" class="secondary small" data-fill-template="strategy-template" data-target="code-editor">{t('strategies.fromTemplate')}</button>
        </div>
        <div class="editor">
          <div class="gutter" id="code-gutter" aria-hidden="true"></div>
          <textarea id="code-editor" name="code" class="code code-editor" spellcheck={false} data-gutter="code-gutter" data-error-line={error?.line ? String(error.line) : undefined} rows={28}>{v.code}</textarea>
        </div>
        <template id="strategy-template">{props.template}</template>
        <p><button type="submit">{t('strategies.save')}</button></p>
      </form>
      <CtxReferencePanel chrome={props.chrome} sections={props.reference} />
    </Layout>
  );
}
