/** Maps positions in esbuild's output back to the user's source (a minimal source-map v3 reader). */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map<string, number>([...B64].map((c, i) => [c, i]));

/** Per generated line (0-based): segments [generatedColumn, sourceLine, sourceColumn], 0-based. */
export type DecodedMap = number[][][];

export function decodeMappings(mappings: string): DecodedMap {
  const lines: number[][][] = [];
  let srcLine = 0;
  let srcCol = 0;
  let srcIdx = 0;
  for (const lineText of mappings.split(';')) {
    const segs: number[][] = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const vals: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64_INDEX.get(ch)!;
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += vals[0];
      if (vals.length >= 4) {
        srcIdx += vals[1];
        srcLine += vals[2];
        srcCol += vals[3];
        segs.push([genCol, srcLine, srcCol]);
      }
    }
    lines.push(segs);
  }
  void srcIdx;
  return lines;
}

/** Original 1-based line/column of a 1-based generated position, or null when unmapped. */
export function originalPosition(map: DecodedMap, line: number, column: number): { line: number; column: number } | null {
  const segs = map[line - 1];
  if (!segs || segs.length === 0) return null;
  let best: number[] | null = null;
  for (const s of segs) {
    if (s[0] <= column - 1) best = s;
    else break;
  }
  if (!best) return { line: segs[0][1] + 1, column: segs[0][2] + 1 };
  // Within a segment the generated text is the user's text, so the column offset carries over.
  return { line: best[1] + 1, column: best[2] + 1 + (column - 1 - best[0]) };
}
