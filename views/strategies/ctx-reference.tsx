/**
 * The `ctx` reference beside the strategy editor: generated from the engine's declarations and doc
 * comments (src/strategies/ctx-reference.generated.ts), every function with an example that can be
 * inserted at the cursor (JavaScript) or run in the dry run (a form: works without JavaScript).
 */
import type { CtxEntry, CtxSection } from '../../src/strategies/ctx-reference.ts';
import { CsrfField, Layout, type PageChrome, type T } from '../layout.tsx';
import type { DryRunOutcome } from '../../src/strategies/dry-run.ts';

const anchor = (name: string) => `ref-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
const code = (s: string) => <code>{s}</code>;

function Entry(props: { chrome: PageChrome; e: CtxEntry }) {
  const { e } = props;
  const { t } = props.chrome;
  return (
    <>
      <dt id={anchor(e.name)}>
        {e.signatures.map((s) => <code class="signature">{e.name.slice(0, e.name.lastIndexOf('.') + 1)}{s}</code>)}
      </dt>
      <dd>
        <p>{e.doc}</p>
        {e.example ? (
          <div class="ctx-example">
            <pre class="code-view"><code id={`${anchor(e.name)}-example`}>{e.example}</code></pre>
            <div class="run-controls">
              <button type="button" class="secondary small" hidden data-insert-snippet={`${anchor(e.name)}-example`} data-target="code-editor">{t('readable.ref.insert')}</button>
              <form method="post" action="/strategies/try" hx-post="/strategies/try" hx-target={`#${anchor(e.name)}-out`} hx-swap="innerHTML" class="inline">
                <CsrfField chrome={props.chrome} />
                <input type="hidden" name="example" value={e.name} />
                <button type="submit" class="secondary small">{t('readable.ref.run')}</button>
              </form>
            </div>
            <div id={`${anchor(e.name)}-out`} aria-live="polite"></div>
          </div>
        ) : null}
      </dd>
    </>
  );
}

/** The panel on the editor page: one collapsible section per object, entries in declaration order. */
export function CtxReferencePanel(props: { chrome: PageChrome; sections: readonly CtxSection[] }) {
  const { t } = props.chrome;
  return (
    <section class="ctx-reference" aria-labelledby="ctx-reference-title">
      <h2 id="ctx-reference-title">{t.rich('readable.ref.title', { code })}</h2>
      <p class="muted small">{t.rich('readable.ref.intro', { code })}</p>
      {props.sections.map((s, i) => (
        <details class="section" open={i === 0}>
          <summary>{s.title}</summary>
          <dl class="ctx-entries">{s.entries.map((e) => <Entry chrome={props.chrome} e={e} />)}</dl>
        </details>
      ))}
    </section>
  );
}

/** What the dry run of one example said: the log, or the error with its line (also an htmx fragment, hence `t`). */
export function DryRunResult(props: { t: T; outcome: DryRunOutcome }) {
  const { t, outcome: o } = props;
  return o.ok ? (
    <div class="notice" role="status">
      <p><strong>{t('readable.dry.ok')}</strong> {o.logs.length ? t('readable.dry.log', { count: o.logs.length }) : t('readable.dry.noLog')}</p>
      {o.logs.length ? <pre class="code-view small">{o.logs.slice(0, 40).join('\n')}{o.logs.length > 40 ? `\n${t('readable.dry.more', { count: o.logs.length - 40 })}` : ''}</pre> : null}
    </div>
  ) : (
    <div class="error-box" role="alert">
      <p><strong>{t('readable.dry.failed')}</strong> {o.error.message}{o.error.line ? t('readable.dry.line', { line: o.error.line }) : ''}</p>
      {o.logs.length ? <pre class="code-view small">{o.logs.slice(0, 40).join('\n')}</pre> : null}
    </div>
  );
}

/** Without JavaScript the example's dry run answers with this page. */
export function DryRunPage(props: { chrome: PageChrome; name: string; code: string; outcome: DryRunOutcome; back: string }) {
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('readable.dry.title', { name: props.name })} section="strategies">
      <p><a href={props.back}>{t('readable.dry.back')}</a></p>
      <h1>{t.rich('readable.dry.heading', { code: () => <code>{props.name}</code> }, { name: props.name })}</h1>
      <DryRunResult t={t} outcome={props.outcome} />
      <h2>{t('readable.dry.code')}</h2>
      <pre class="code-view"><code>{props.code}</code></pre>
    </Layout>
  );
}
