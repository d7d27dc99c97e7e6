/**
 * JSON text that Postgres will store in a jsonb column, whatever strings it carries.
 *
 * jsonb refuses two things JavaScript strings can hold: the NUL character (`\u0000`: "unsupported
 * Unicode escape sequence") and lone UTF-16 surrogates (half of an emoji, e.g. from slicing a
 * string mid-pair). Strategy code writes such strings freely (console.log, order notes, thrown
 * messages), and one of them used to fail the whole run at its last write. Here NUL becomes the six
 * visible characters `\u0000` (so the log still shows it was there) and a lone surrogate becomes
 * U+FFFD, the replacement character, which is what `String.prototype.toWellFormed` does.
 */

// JSON.stringify writes NUL as \u0000 and a lone surrogate as \udXXX (lower-case hex); a paired
// surrogate stays a raw character. Matching an escaped backslash (\\) as its own alternative keeps
// the parity right: the text `\\u0000` is a backslash followed by "u0000", not a NUL.
const refusedEscape = /\\(?:\\|u0000|ud[89a-f][0-9a-f]{2})/gi;
const mayHaveRefused = /\\u(?:0000|d[89a-f])/i;

/** `JSON.stringify(value)` (undefined as null) with what jsonb refuses escaped. */
export function storableJson(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  // Nearly every payload has neither; one scan of the text decides, without walking the value.
  if (!mayHaveRefused.test(text)) return text;
  return text.replace(refusedEscape, (m) => (m === '\\\\' ? m : m === '\\u0000' ? '\\\\u0000' : '\\ufffd'));
}
