import { ErrorBox, Layout } from '../../views/layout.tsx';
import type { PageChromeFn } from './chrome.ts';
import type { ErrorView } from './on-error.ts';

/** How errors look in a browser (on-error.ts decides the answer): the box alone for htmx, else the box in the page frame. */
export function errorPages(chrome: PageChromeFn): ErrorView {
  return (c, e, as) => {
    const ch = chrome(c);
    const box = <ErrorBox t={ch.t} status={e.status} code={e.code} message={e.message} requestId={e.requestId} />;
    if (as === 'fragment') return c.html(box, e.status);
    return c.html(
      <Layout chrome={ch} title={ch.t(e.status === 404 ? 'layout.error.notFound' : 'layout.error.client')} section="home">
        {box}
      </Layout>,
      e.status,
    );
  };
}
