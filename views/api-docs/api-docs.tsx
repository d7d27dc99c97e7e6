import type { ReferenceEndpoint, ReferenceField, ReferenceModel } from '../../src/http/api-reference.ts';
import { Layout, type PageChrome } from '../layout.tsx';

/** The API reference: every /api/v1 operation, from the same document as /api/v1/openapi.json. */
export function ApiDocsPage(props: { chrome: PageChrome; model: ReferenceModel }) {
  const m = props.model;
  return (
    <Layout chrome={props.chrome} title="API reference" section="home">
      <h1>API reference</h1>
      <p class="lead">{m.description}</p>
      <dl class="facts">
        <dt>Base URL</dt>
        <dd><code>{m.base}</code></dd>
        <dt>Authentication</dt>
        <dd>
          An API token as <code>Authorization: Bearer $TOKEN</code> (create one on your account page). Every
          endpoint needs at least the viewer role.
        </dd>
        <dt>Errors</dt>
        <dd>
          <code>{'{"error":{"code":"…","message":"…"}}'}</code> with 400 (the message names the field), 401, 403, 404
        </dd>
        <dt>Machine-readable</dt>
        <dd>
          <a href={m.documentUrl}>OpenAPI 3.1 document</a> · version {m.version}
        </dd>
      </dl>
      <nav class="api-toc" aria-label="Endpoints">
        {m.tags.map((t) => (
          <div>
            <h2>{t.tag}</h2>
            <ul>
              {t.endpoints.map((e) => (
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
      {m.tags.flatMap((t) => t.endpoints.map((e) => <Endpoint endpoint={e} />))}
    </Layout>
  );
}

function Endpoint(props: { endpoint: ReferenceEndpoint }) {
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
          <h3>Parameters</h3>
          <Fields fields={e.params} />
        </>
      ) : null}
      {e.body ? (
        <>
          <h3>
            Request body <span class="muted">({e.body.contentType}{e.body.type && e.body.type !== 'object' ? `, ${e.body.type}` : ''})</span>
          </h3>
          {e.body.fields.length ? <Fields fields={e.body.fields} /> : null}
        </>
      ) : null}
      <h3>Responses</h3>
      <table>
        <thead>
          <tr><th>status</th><th>meaning</th><th>body</th></tr>
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
      <h3>Example</h3>
      <pre class="curl"><code>{e.curl}</code></pre>
    </section>
  );
}

function Fields(props: { fields: ReferenceField[] }) {
  return (
    <table>
      <thead>
        <tr><th>name</th><th>in</th><th>type</th><th>required</th><th>description</th></tr>
      </thead>
      <tbody>
        {props.fields.map((f) => (
          <tr>
            <td><code>{f.name}</code></td>
            <td>{f.where}</td>
            <td><code>{f.type}</code></td>
            <td>{f.required ? 'yes' : 'no'}</td>
            <td>{f.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
