import { CsrfField, Layout, type PageChrome, type Section } from './layout.tsx';

/** What a destructive action asks before it acts, when the browser could not ask (no JavaScript). */
export interface Confirmation {
  /** The question, e.g. Delete backtest “dual_ma 2025”? */
  title: string;
  /** What goes (and what stays), one line each. */
  what: string[];
  /** Where the confirmed POST goes (the same route, with confirm=yes). */
  action: string;
  /** Where "Keep it" leads back to. */
  cancel: string;
  /** The confirm button's label. */
  label: string;
  section: Section;
}

/** The confirmation page: what goes, then the one button that does it and a way back. */
export function ConfirmPage(props: { chrome: PageChrome; c: Confirmation }) {
  const c = props.c;
  return (
    <Layout chrome={props.chrome} title={c.title} section={c.section}>
      <h1>{c.title}</h1>
      <ul class="confirm-what">
        {c.what.map((w) => (
          <li>{w}</li>
        ))}
      </ul>
      <form method="post" action={c.action} class="row-form">
        <CsrfField chrome={props.chrome} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">{c.label}</button>
        <a class="button secondary" href={c.cancel}>{props.chrome.t('layout.keepIt')}</a>
      </form>
    </Layout>
  );
}

/**
 * A delete button: with JavaScript, htmx asks `question` in the browser's dialog before it posts;
 * without, the post answers with the confirmation page (src/http/confirm.pages.tsx).
 */
export function DeleteButton(props: { chrome: PageChrome; action: string; question: string; label?: string; cls?: string }) {
  return (
    <form method="post" action={props.action} class="inline" hx-post={props.action} hx-confirm={props.question}>
      <CsrfField chrome={props.chrome} />
      <button type="submit" class={props.cls ?? 'danger'}>{props.label ?? props.chrome.t('layout.delete')}</button>
    </form>
  );
}
