/** Strategy pages: the list (built-in templates and yours), a strategy's view, and the editor. */
import type { BuiltinStrategy, UserStrategy } from '../../src/strategies/strategy.types.ts';
import { DeleteButton } from '../confirm.tsx';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import { schemaProps, shownBound } from '../backtests/params-form.tsx';
import type { CtxSection } from '../../src/strategies/ctx-reference.ts';
import { CtxReferencePanel } from './ctx-reference.tsx';

const catLabel = (c: string) => c.replace('_', ' ');

export function StrategiesPage(props: { chrome: PageChrome; builtins: BuiltinStrategy[]; mine: UserStrategy[]; q: string; category: string; categories: readonly string[]; canCreate: boolean }) {
  return (
    <Layout chrome={props.chrome} title="Strategies" section="strategies">
      <div class="toolbar">
        <h1>Strategies</h1>
        {props.canCreate ? <a class="button" href="/strategies/new">New strategy</a> : null}
      </div>
      <form method="get" action="/strategies" class="filters">
        <label>Search<input type="search" name="q" value={props.q} placeholder="name or description" /></label>
        <label>Category
          <select name="category">
            <option value="">any</option>
            {props.categories.map((c) => <option value={c} selected={props.category === c}>{catLabel(c)}</option>)}
          </select>
        </label>
        <button type="submit" class="secondary">Filter</button>
      </form>
      <h2>Your strategies</h2>
      {props.mine.length === 0 ? (
        <p class="muted">None{props.q || props.category ? ' match' : ' yet'}.{props.canCreate ? <> <a href="/strategies/new">Write one</a> from the framework template.</> : null}</p>
      ) : (
        <table>
          <thead><tr><th>Name</th><th>Category</th><th>Description</th><th class="num">Version</th><th>Updated (UTC)</th><th></th></tr></thead>
          <tbody>
            {props.mine.map((s) => (
              <tr>
                <td><a href={`/strategies/${s.id}`}>{s.name}</a>{s.ownerName && props.chrome.username !== s.ownerName ? <div class="muted small">{s.ownerName}</div> : null}</td>
                <td><span class="tag">{catLabel(s.category)}</span></td>
                <td class="muted">{s.description}</td>
                <td class="num">v{s.version}</td>
                <td class="small">{s.updatedAt.toISOString().replace('T', ' ').slice(0, 16)}</td>
                <td class="nowrap"><a href={`/backtests/new?strategy=user:${s.id}`}>Use for backtest</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Built-in templates</h2>
      <div class="strategy-grid">
        {props.builtins.map((b) => (
          <div class="card">
            <h2><a href={`/strategies/builtin/${b.name}`}>{b.title}</a> <span class="tag">{catLabel(b.category)}</span></h2>
            <p>{b.description}</p>
            <p class="small"><code>{b.name}</code> · {schemaProps(b.paramsSchema).length} parameters · <a href={`/backtests/new?strategy=builtin:${b.name}`}>Use for backtest</a></p>
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

export function ParamsTable(props: { schema: unknown }) {
  const entries = schemaProps(props.schema);
  if (!entries.length) return <p class="muted">No parameters.</p>;
  return (
    <table>
      <thead><tr><th>Parameter</th><th>Type</th><th class="num">Default</th><th>Range</th><th>Meaning</th></tr></thead>
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
  return (
    <Layout chrome={props.chrome} title={b.title} section="strategies">
      <p><a href="/strategies">← Strategies</a></p>
      <h1>{b.title} <span class="tag">built-in · read-only</span></h1>
      <p class="lead">{b.description}</p>
      <p>{props.canCreate ? <a class="button" href={`/backtests/new?strategy=builtin:${b.name}`}>Use for backtest</a> : null}</p>
      <h2>Parameters</h2>
      <ParamsTable schema={b.paramsSchema} />
      <p class="muted small">API name <code>{b.name}</code>: <code>{`{"strategy":"${b.name}","params":{…}}`}</code> on POST /api/v1/backtests.</p>
    </Layout>
  );
}

export function StrategyPage(props: { chrome: PageChrome; s: UserStrategy; versions: { id: number; version: number; created_at: Date }[]; canChange: boolean; notice?: string | null }) {
  const s = props.s;
  return (
    <Layout chrome={props.chrome} title={s.name} section="strategies">
      <p><a href="/strategies">← Strategies</a></p>
      {props.notice ? <div class="notice" role="status"><p>{props.notice}</p></div> : null}
      <h1>{s.name} <span class="tag">{catLabel(s.category)}</span> <span class="tag">v{s.version}</span></h1>
      {s.description ? <p class="lead">{s.description}</p> : null}
      <div class="run-controls">
        <a class="button" href={`/backtests/new?strategy=user:${s.id}`}>Use for backtest</a>
        {props.canChange ? <a class="button secondary" href={`/strategies/${s.id}/edit`}>Edit</a> : null}
        {props.canChange ? (
          <DeleteButton chrome={props.chrome} action={`/strategies/${s.id}/delete`} question={`Delete strategy “${s.name}” and all its versions?`} />
        ) : null}
      </div>
      <h2>Parameters</h2>
      <ParamsTable schema={s.paramsSchema} />
      <h2>Code <span class="muted small">({s.language === 'ts' ? 'TypeScript' : 'JavaScript'}, version {s.version})</span></h2>
      <pre class="code-view"><code>{s.code}</code></pre>
      <h2>Versions</h2>
      <p class="muted small">Every saved change is a new version; a backtest records the exact version it ran.</p>
      <ul>{props.versions.map((v) => <li>v{v.version} · {new Date(v.created_at).toISOString().replace('T', ' ').slice(0, 19)} UTC</li>)}</ul>
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
  return (
    <Layout chrome={props.chrome} title={props.id ? `Edit ${v.name}` : 'New strategy'} section="strategies">
      <p><a href={props.id ? `/strategies/${props.id}` : '/strategies'}>← {props.id ? v.name : 'Strategies'}</a></p>
      <h1>{props.id ? `Edit ${v.name}` : 'New strategy'}</h1>
      {error ? <section class="error-box" role="alert"><p><strong>Not saved:</strong> {error.message}</p></section> : null}
      <form method="post" action={action} class="create-form">
        <CsrfField chrome={props.chrome} />
        <div class="row-fields">
          <label class={error?.field === 'name' ? 'invalid' : ''}>Name<input type="text" name="name" value={v.name} required maxlength={100} /></label>
          <label>Category
            <select name="category">{props.categories.map((c) => <option value={c} selected={v.category === c}>{catLabel(c)}</option>)}</select>
          </label>
          <label>Language
            <select name="language">
              <option value="js" selected={v.language === 'js'}>JavaScript</option>
              <option value="ts" selected={v.language === 'ts'}>TypeScript</option>
            </select>
          </label>
        </div>
        <label>Description<input type="text" name="description" value={v.description} maxlength={2000} class="wide" /></label>
        <div class="toolbar">
          <label class="plain">Code <span class="muted small">(Tab indents; saved code is checked: syntax, then a dry run on a tiny market)</span></label>
          <button type="button" class="secondary small" data-fill-template="strategy-template" data-target="code-editor">Start from the framework template</button>
        </div>
        <div class="editor">
          <div class="gutter" id="code-gutter" aria-hidden="true"></div>
          <textarea id="code-editor" name="code" class="code code-editor" spellcheck={false} data-gutter="code-gutter" data-error-line={error?.line ? String(error.line) : undefined} rows={28}>{v.code}</textarea>
        </div>
        <template id="strategy-template">{props.template}</template>
        <p><button type="submit">Save</button></p>
      </form>
      <CtxReferencePanel chrome={props.chrome} sections={props.reference} />
    </Layout>
  );
}
