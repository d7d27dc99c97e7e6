/**
 * Generates src/strategies/ctx-reference.generated.ts, the strategy editor's reference of the `ctx`
 * API, from the engine's own declarations and doc comments (src/engine/context.ts, the bar fields
 * from src/engine/panel.ts). Run `node --import tsx scripts/gen-ctx-reference.ts` after changing
 * them; test/strategies/ctx-reference.test.ts fails while the committed file is stale. Generated
 * ahead of time rather than parsed at start-up: the single executable carries no .ts sources.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const generatedPath = fileURLToPath(new URL('../src/strategies/ctx-reference.generated.ts', import.meta.url));
const contextPath = fileURLToPath(new URL('../src/engine/context.ts', import.meta.url));
const panelPath = fileURLToPath(new URL('../src/engine/panel.ts', import.meta.url));

export interface CtxEntry {
  /** How the user writes it: `ctx.sma`, `ctx.portfolio.cash`, `ctx.bars.close`. */
  name: string;
  kind: 'property' | 'method';
  /** The declaration(s) as written in the engine, one per overload. */
  signatures: string[];
  doc: string;
  /** A snippet for onDay(ctx) that runs in the editor's dry run; null for plain fields. */
  example: string | null;
}
export interface CtxSection {
  title: string;
  entries: CtxEntry[];
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function docOf(node: ts.Node): { doc: string; example: string | null } {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  const last = docs[docs.length - 1];
  if (!last) return { doc: '', example: null };
  const doc = ts.getTextOfJSDocComment(last.comment)?.replace(/\s*\n\s*/g, ' ').trim() ?? '';
  const ex = last.tags?.find((t) => t.tagName.text === 'example');
  const example = ex ? (ts.getTextOfJSDocComment(ex.comment) ?? '').replace(/^\n+|\s+$/g, '') : null;
  return { doc, example };
}

function signatureText(node: ts.Node, source: ts.SourceFile): string {
  const copy = node.getText(source).replace(/\s*\n\s*/g, ' ');
  return copy.replace(/;$/, '').replace(/^readonly /, '');
}

function membersOf(source: ts.SourceFile, name: string): ts.NodeArray<ts.TypeElement> {
  for (const s of source.statements) {
    if (ts.isInterfaceDeclaration(s) && s.name.text === name) return s.members;
    if (ts.isTypeAliasDeclaration(s) && s.name.text === name) {
      // Bars = Pick<Panel, …> & { … }: the literal part's members.
      const t = s.type;
      if (ts.isIntersectionTypeNode(t)) for (const p of t.types) if (ts.isTypeLiteralNode(p)) return p.members;
    }
  }
  throw new Error(`${name} not found in ${source.fileName}`);
}

/** The members of an interface, overloads merged, in declaration order, named with `prefix`. */
function entriesOf(source: ts.SourceFile, iface: string, prefix: string): CtxEntry[] {
  const out: CtxEntry[] = [];
  const byName = new Map<string, CtxEntry>();
  for (const m of membersOf(source, iface)) {
    if (!m.name || !ts.isIdentifier(m.name)) continue;
    const name = `${prefix}${m.name.text}`;
    const { doc, example } = docOf(m);
    const seen = byName.get(name);
    if (seen) {
      seen.signatures.push(signatureText(m, source));
      continue;
    }
    const entry: CtxEntry = { name, kind: ts.isMethodSignature(m) ? 'method' : 'property', signatures: [signatureText(m, source)], doc, example };
    byName.set(name, entry);
    out.push(entry);
  }
  return out;
}

/** Today's bar fields: Panel's price arrays and `st` (Bars picks them), then Bars' own `tradable`. */
function barEntries(context: ts.SourceFile, panel: ts.SourceFile): CtxEntry[] {
  const floats = panel.statements
    .flatMap((s) => (ts.isVariableStatement(s) ? [...s.declarationList.declarations] : []))
    .find((d) => ts.isIdentifier(d.name) && d.name.text === 'panelFloatArrays');
  const init = floats?.initializer;
  const list = init && ts.isAsExpression(init) && ts.isArrayLiteralExpression(init.expression) ? init.expression.elements : null;
  if (!list) throw new Error('panelFloatArrays not found in src/engine/panel.ts');
  const picked = new Set([...list.map((e) => (e as ts.StringLiteral).text), 'st']);
  const out: CtxEntry[] = [];
  // A field without its own comment shares the one above it (open, high, low, close, preClose).
  let shared = '';
  for (const m of membersOf(panel, 'Panel')) {
    if (!m.name || !ts.isIdentifier(m.name)) continue;
    const own = docOf(m).doc;
    shared = own || shared;
    if (!picked.has(m.name.text)) continue;
    const type = (m as ts.PropertySignature).type?.getText(panel) ?? '';
    out.push({ name: `ctx.bars.${m.name.text}`, kind: 'property', signatures: [`${m.name.text}: ${type}`], doc: shared, example: null });
  }
  return [...out, ...entriesOf(context, 'Bars', 'ctx.bars.')];
}

export function ctxReference(): CtxSection[] {
  const context = parse(contextPath);
  const panel = parse(panelPath);
  return [
    { title: 'ctx', entries: entriesOf(context, 'StrategyContext', 'ctx.') },
    { title: 'ctx.bars (one value per stock, today)', entries: barEntries(context, panel) },
    { title: 'ctx.portfolio', entries: entriesOf(context, 'Portfolio', 'ctx.portfolio.') },
    { title: 'A position (ctx.portfolio.position(code), positions())', entries: entriesOf(context, 'PositionView', 'position.') },
    { title: 'Order options (the last argument of the order functions)', entries: entriesOf(context, 'OrderOptions', 'opts.') },
  ];
}

export function renderReference(sections: CtxSection[]): string {
  return `// Generated by scripts/gen-ctx-reference.ts from src/engine/context.ts and src/engine/panel.ts: do not edit.
// test/strategies/ctx-reference.test.ts fails when this file is stale and runs every example.

export interface CtxEntry {
  name: string;
  kind: 'property' | 'method';
  signatures: string[];
  doc: string;
  example: string | null;
}
export interface CtxSection {
  title: string;
  entries: CtxEntry[];
}

export const ctxReference: CtxSection[] = [
${sections.map((s) => `  {\n    title: ${JSON.stringify(s.title)},\n    entries: [\n${s.entries.map((e) => `      ${JSON.stringify(e)},\n`).join('')}    ],\n  },\n`).join('')}];
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(generatedPath, renderReference(ctxReference()));
  console.log(`wrote ${generatedPath}`);
}
