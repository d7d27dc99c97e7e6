import type { ReferenceEndpoint, ReferenceField, ReferenceModel } from '../../src/http/api-reference.ts';
import { Layout, type PageChrome, type T } from '../layout.tsx';

/** The API reference: every /api/v1 operation, from the same document as /api/v1/openapi.json. */
export function ApiDocsPage(props: { chrome: PageChrome; model: ReferenceModel }) {
  const m = props.model;
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('apiDocs.title')} section="home">
      <h1>{t('apiDocs.title')}</h1>
      <p class="lead">{m.description}</p>
      <dl class="facts">
        <dt>{t('apiDocs.baseUrl')}</dt>
        <dd><code>{m.base}</code></dd>
        <dt>{t('apiDocs.auth')}</dt>
        <dd>{t.rich('apiDocs.authText', { c: (x) => <code>{x}</code> })}</dd>
        <dt>{t('apiDocs.errors')}</dt>
        <dd>
          <code>{'{"error":{"code":"…","message":"…"}}'}</code>{t('apiDocs.errorsText')}
        </dd>
        <dt>{t('apiDocs.machine')}</dt>
        <dd>
          <a href={m.documentUrl}>{t('apiDocs.openapi')}</a>{t('apiDocs.version', { version: m.version })}
        </dd>
      </dl>
      <nav class="api-toc" aria-label={t('apiDocs.endpoints')}>
        {m.tags.map((tag) => (
          <div>
            <h2>{tag.tag}</h2>
            <ul>
              {tag.endpoints.map((e) => (
                <li>
                  <a href={`#${e.id}`}>
                    <span class={`method ${e.method.toLowerCase()}`}>{e.method}</span> <code>{e.path}</code>
                  </a>
                  {e.summary ? <span class="muted"> — {e.summary}</span> : null}
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      {m.tags.flatMap((tag) => tag.endpoints.map((e) => <Endpoint t={t} endpoint={e} />))}
    </Layout>
  );
}

function Endpoint(props: { t: T; endpoint: ReferenceEndpoint }) {
  const { t } = props;
  const e = props.endpoint;
  return (
    <section class="endpoint" id={e.id}>
      <h2>
        <span class={`method ${e.method.toLowerCase()}`}>{e.method}</span> <code>{e.path}</code>
      </h2>
      {e.summary ? <p><strong>{e.summary}</strong></p> : null}
      {e.description ? <p>{e.description}</p> : null}
      {e.params.length ? (
        <>
          <h3>{t('apiDocs.params')}</h3>
          <Fields t={t} fields={e.params} />
        </>
      ) : null}
      {e.body ? (
        <>
          <h3>
            {t('apiDocs.body')} <span class="muted">({e.body.contentType}{e.body.type && e.body.type !== 'object' ? `, ${e.body.type}` : ''})</span>
          </h3>
          {e.body.fields.length ? <Fields t={t} fields={e.body.fields} /> : null}
        </>
      ) : null}
      <h3>{t('apiDocs.responses')}</h3>
      <table>
        <thead>
          <tr><th>{t('apiDocs.col.status')}</th><th>{t('apiDocs.col.meaning')}</th><th>{t('apiDocs.col.body')}</th></tr>
        </thead>
        <tbody>
          {e.responses.map((r) => (
            <tr>
              <td><code>{r.status}</code></td>
              <td>{r.description}</td>
              <td><code>{r.type}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('apiDocs.example')}</h3>
      <pre class="curl"><code>{e.curl}</code></pre>
    </section>
  );
}

function Fields(props: { t: T; fields: ReferenceField[] }) {
  const { t } = props;
  return (
    <table>
      <thead>
        <tr><th>{t('apiDocs.col.name')}</th><th>{t('apiDocs.col.in')}</th><th>{t('apiDocs.col.type')}</th><th>{t('apiDocs.col.required')}</th><th>{t('apiDocs.col.description')}</th></tr>
      </thead>
      <tbody>
        {props.fields.map((f) => (
          <tr>
            <td><code>{f.name}</code></td>
            <td>{f.where}</td>
            <td><code>{f.type}</code></td>
            <td>{t(f.required ? 'apiDocs.yes' : 'apiDocs.no')}</td>
            <td>{f.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
