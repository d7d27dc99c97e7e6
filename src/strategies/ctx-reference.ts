/** The `ctx` reference of the strategy editor: the generated entries (ctx-reference.generated.ts) and the strategy an example runs in. */
export { ctxReference, type CtxEntry, type CtxSection } from './ctx-reference.generated.ts';

/** A whole strategy whose onDay is one reference example: what the editor's "Try" runs through the dry run. */
export function exampleStrategy(example: string): string {
  const body = example.split('\n').map((l) => `    ${l}`).join('\n');
  return `export default defineStrategy({
  name: 'ctx_example',
  description: 'One example of the ctx reference',
  params: z.object({}),
  onDay(ctx) {
${body}
  },
});
`;
}
