/**
 * The `ctx` reference beside the strategy editor: generated from the engine's declarations and doc
 * comments (src/strategies/ctx-reference.generated.ts), every function with an example that can be
 * inserted at the cursor (JavaScript) or run in the dry run (a form: works without JavaScript).
 */
import type { CtxEntry, CtxSection } from '../../src/strategies/ctx-reference.ts';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import type { DryRunOutcome } from '../../src/strategies/dry-run.ts';

const anchor = (name: string) => `ref-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;

function Entry(props: { chrome: PageChrome; e: CtxEntry }) {
  const { e } = props;
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
              <button type="button" class="secondary small" hidden data-insert-snippet={`${anchor(e.name)}-example`} data-target="code-editor">Insert at cursor</button>
              <form method="post" action="/strategies/try" hx-post="/strategies/try" hx-target={`#${anchor(e.name)}-out`} hx-swap="innerHTML" class="inline">
                <CsrfField chrome={props.chrome} />
                <input type="hidden" name="example" value={e.name} />
                <button type="submit" class="secondary small">Run in the dry run</button>
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
  return (
    <section class="ctx-reference" aria-labelledby="ctx-reference-title">
      <h2 id="ctx-reference-title">The <code>ctx</code> reference</h2>
      <p class="muted small">
        What <code>onDay(ctx)</code> and <code>init(ctx)</code> receive, from the engine's own declarations. Per-stock arrays hold one value per
        stock in <code>ctx.codes</code> order. Each example is the body of an <code>onDay</code>; “Run in the dry run” runs it on the made-up
        60-day market that checks code on save and shows its log.
      </p>
      {props.sections.map((s, i) => (
        <details class="section" open={i === 0}>
          <summary>{s.title}</summary>
          <dl class="ctx-entries">{s.entries.map((e) => <Entry chrome={props.chrome} e={e} />)}</dl>
        </details>
      ))}
    </section>
  );
}

/** What the dry run of one example said: the log, or the error with its line. */
export function DryRunResult(props: { outcome: DryRunOutcome }) {
  const o = props.outcome;
  return o.ok ? (
    <div class="notice" role="status">
      <p><strong>Ran 60 days without an error.</strong> {o.logs.length ? `Its log (${o.logs.length} lines):` : 'It logged nothing.'}</p>
      {o.logs.length ? <pre class="code-view small">{o.logs.slice(0, 40).join('\n')}{o.logs.length > 40 ? `\n… ${o.logs.length - 40} more lines` : ''}</pre> : null}
    </div>
  ) : (
    <div class="error-box" role="alert">
      <p><strong>The dry run failed:</strong> {o.error.message}{o.error.line ? ` (line ${o.error.line})` : ''}</p>
      {o.logs.length ? <pre class="code-view small">{o.logs.slice(0, 40).join('\n')}</pre> : null}
    </div>
  );
}

/** Without JavaScript the example's dry run answers with this page. */
export function DryRunPage(props: { chrome: PageChrome; name: string; code: string; outcome: DryRunOutcome; back: string }) {
  return (
    <Layout chrome={props.chrome} title={`Dry run of ${props.name}`} section="strategies">
      <p><a href={props.back}>← Back</a></p>
      <h1>Dry run of the <code>{props.name}</code> example</h1>
      <DryRunResult outcome={props.outcome} />
      <h2>The strategy it ran</h2>
      <pre class="code-view"><code>{props.code}</code></pre>
    </Layout>
  );
}
