/**
 * Finds user-visible text written into templates instead of the message catalogue (src/i18n), by
 * parsing each file with the TypeScript compiler. What counts as template text:
 *
 * - JSX text with a letter in it (`<p>Hello</p>`), except inside <code>, <pre>, <kbd>, <samp>,
 *   <script> and <style> (code samples and identifiers are not translated);
 * - a string literal value of a text attribute (`title`, `placeholder`, `aria-label`, `alt`, `label`,
 *   `summary`, `hx-confirm`, `data-confirm`, and on components also `heading`, `legend`, `help`,
 *   `hint`, `caption`, `empty`, `what`, `question`, `description`, `message`, `text`, `confirm`);
 * - a string literal rendered as a child (`{done ? 'Done' : 'Running'}`, `{x ?? 'never'}`,
 *   `` {`${n} rows`} ``): literals reached from a JSX child expression through conditionals,
 *   `??`/`||`/`&&`, parentheses, template literals and arrays (not through calls: `t('…')` and
 *   formatting helpers take keys and codes, not text).
 *
 * A literal counts when it has a letter (\p{L}) and is not in `allowed` (units, codes, names that read
 * the same in every language).
 */
import ts from 'typescript';

/** Texts that are the same in every language. Keep it tiny: a word a user reads belongs in the catalogue. */
export const allowed = new Set([
  'zquant', 'ms', 's', 'x', '×', 'CSV', 'JSON', 'API', 'SSE', 'HTML', 'URL', 'ID', 'id', 'SQL', 'cron', 'Tushare', 'PGlite', 'PostgreSQL', 'DuckDB',
  // Each language's name in itself (the account page's language choice).
  '中文', 'English', 'JavaScript', 'TypeScript',
  'v', 'O', 'H', 'L', 'C', 'p95', 'ts_code', 'YYYYMMDD', 'YYYY-MM-DD', 'CNY', 'NAV', 'SH', 'SZ', 'BJ', 'Δ', 'α', 'β', 'curl', 'zquant', 'OK', 'UTC', 'PSR', 'DSR', 'PBO', 'IC', 'IR',
]);

const textAttrs = new Set(['title', 'placeholder', 'aria-label', 'alt', 'label', 'summary', 'hx-confirm', 'data-confirm', 'aria-description']);
const componentTextProps = new Set([...textAttrs, 'heading', 'legend', 'help', 'hint', 'caption', 'empty', 'what', 'question', 'description', 'message', 'text', 'confirm']);
const verbatimElements = new Set(['code', 'pre', 'kbd', 'samp', 'script', 'style']);

export interface Finding {
  file: string;
  line: number;
  text: string;
}

const hasLetter = (s: string) => /\p{L}/u.test(s);

/** Has a word that is not allowed (so `· zquant`, `5 ms` and `CSV` pass, `rows` does not). */
function counts(text: string): boolean {
  const s = text.replace(/\s+/g, ' ').trim();
  if (s === '' || !hasLetter(s) || allowed.has(s)) return false;
  return (s.match(/[\p{L}_][\p{L}\p{N}_-]*/gu) ?? []).some((w) => !allowed.has(w));
}

function tagName(el: ts.JsxOpeningLikeElement): string {
  return el.tagName.getText();
}

function insideVerbatim(node: ts.Node): boolean {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isJsxElement(p) && verbatimElements.has(tagName(p.openingElement))) return true;
  }
  return false;
}

/** The literals a rendered expression can evaluate to directly. */
function renderedLiterals(e: ts.Expression, out: ts.Node[]): void {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) out.push(e);
  else if (ts.isTemplateExpression(e)) {
    out.push(e.head, ...e.templateSpans.map((s) => s.literal));
    for (const s of e.templateSpans) renderedLiterals(s.expression, out);
  } else if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) renderedLiterals(e.expression, out);
  else if (ts.isConditionalExpression(e)) {
    renderedLiterals(e.whenTrue, out);
    renderedLiterals(e.whenFalse, out);
  } else if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) {
      renderedLiterals(e.left, out);
      renderedLiterals(e.right, out);
    } else if (op === ts.SyntaxKind.AmpersandAmpersandToken) renderedLiterals(e.right, out);
    else if (op === ts.SyntaxKind.PlusToken) {
      renderedLiterals(e.left, out);
      renderedLiterals(e.right, out);
    }
  } else if (ts.isArrayLiteralExpression(e)) for (const x of e.elements) if (!ts.isSpreadElement(x)) renderedLiterals(x, out);
}

function literalText(n: ts.Node): string {
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) return n.text;
  return n.getText();
}

/** Every piece of template text in one source file. */
export function findTemplateStrings(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Finding[] = [];
  const report = (node: ts.Node, text: string) => {
    if (!counts(text) || insideVerbatim(node)) return;
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: text.replace(/\s+/g, ' ').trim() });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node, node.text);
    else if (ts.isJsxAttribute(node) && node.initializer) {
      const el = node.parent.parent;
      const name = node.name.getText();
      const isComponent = /^[A-Z]/.test(tagName(el));
      if ((isComponent ? componentTextProps : textAttrs).has(name)) {
        const init = node.initializer;
        if (ts.isStringLiteral(init)) report(init, init.text);
        else if (ts.isJsxExpression(init) && init.expression) {
          const lits: ts.Node[] = [];
          renderedLiterals(init.expression, lits);
          for (const l of lits) report(l, literalText(l));
        }
      }
    } else if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) {
      const lits: ts.Node[] = [];
      renderedLiterals(node.expression, lits);
      for (const l of lits) report(l, literalText(l));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
