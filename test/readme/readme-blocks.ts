/**
 * The README's shell examples, as the README test runs them: every ```sh block that calls `curl`
 * or `zquant`, with the line it starts on and what an HTML comment right before it says:
 * `<!-- readme-test: skip (why) -->`, not run; `<!-- readme-test: errors expected (why) -->`, run,
 * but an HTTP answer of 400 or more is what it shows (curl must still exit 0). A marker without a
 * reason in parentheses is kept as `badMarker` so the test can fail on it.
 */
export interface ReadmeBlock {
  /** 1-based README line of the block's first command line (the line after the fence). */
  line: number;
  lines: string[];
  skip: { reason: string } | null;
  /** The block shows error answers on purpose: curl runs without --fail-with-body. */
  errorsExpected: { reason: string } | null;
  /** A skip marker that does not give a reason (the test fails on it). */
  badMarker: string | null;
}

const marker = /^<!--\s*readme-test:\s*(skip|errors expected)\s*(?:\((.*)\))?\s*-->$/;

export function shellBlocks(markdown: string): ReadmeBlock[] {
  const all = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < all.length; i++) {
    if (all[i].trim() !== '```sh') continue;
    // The marker is the closest non-blank line above the fence.
    let above = i - 1;
    while (above >= 0 && all[above].trim() === '') above--;
    const m = above >= 0 ? all[above].trim().match(marker) : null;
    const lines: string[] = [];
    let j = i + 1;
    while (j < all.length && all[j].trim() !== '```') lines.push(all[j++]);
    const code = lines.filter((l) => !l.trimStart().startsWith('#')).join('\n');
    if (/\b(curl|zquant)\b/.test(code)) {
      const reason = m?.[2]?.trim() ?? '';
      blocks.push({
        line: i + 2,
        lines,
        skip: m?.[1] === 'skip' && reason ? { reason } : null,
        errorsExpected: m?.[1] === 'errors expected' && reason ? { reason } : null,
        badMarker: m && !reason ? all[above].trim() : null,
      });
    }
    i = j;
  }
  return blocks;
}

/**
 * A placeholder assignment such as `TOKEN=zq_…   # from /account`: the reader puts their own value
 * there; the test supplies it (the variable must be one the test set).
 */
export function placeholderOf(line: string): string | null {
  const m = line.match(/^\s*([A-Z_][A-Z0-9_]*)=\S*…\S*(\s+#.*)?$/);
  return m ? m[1] : null;
}
