import { globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findTemplateStrings } from './template-strings.ts';

/**
 * Issue 24: every word a page shows comes from the message catalogue (src/i18n/messages), so it
 * exists in Chinese and English. This fails on template text (see template-strings.ts for what counts)
 * in any view or page file, naming file:line and the text.
 */
const files = [...globSync('views/**/*.tsx'), ...globSync('src/**/*.tsx').filter((f) => f !== 'src/app.tsx')].sort();

describe('template text is in the catalogue', () => {
  it('finds the template files', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it('has no literal text in any template', () => {
    const findings = files.flatMap((f) => findTemplateStrings(f, readFileSync(f, 'utf8')));
    expect(findings.map((x) => `${x.file}:${x.line}: ${JSON.stringify(x.text)}`), 'put these in src/i18n/messages (see src/i18n/README.md)').toEqual([]);
  });

  it('catches what it should (a probe)', () => {
    const probe = `const A = (p: { n: number; t: (k: string) => string }) => (
      <div title="Hover text" class="x">
        Plain text
        <code>ts_code</code>
        {p.n > 1 ? 'many' : p.t('home.one')}
        {\`\${p.n} rows\`}
        <Layout title="Home" section="home" />
        <span>{p.t('home.title')} · zquant</span>
      </div>
    );`;
    expect(findTemplateStrings('probe.tsx', probe).map((f) => f.text)).toEqual(['Hover text', 'Plain text', 'many', 'rows', 'Home']);
  });
});
