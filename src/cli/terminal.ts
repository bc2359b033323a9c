/**
 * Text for the terminal: user strings (problem names, paths, expressions) printed as text, never as
 * control sequences.
 */

/**
 * Control characters (C0 but tab and newline, DEL, C1) and bidirectional overrides: a problem name, path or
 * expression holding them could move the cursor, recolour or rewrite what the terminal shows.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every terminal control sequence shown as a visible escape (\u001b), so it prints as text. */
export function terminalSafe(s: string, keepNewlines = true): string {
  const t = s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return keepNewlines ? t : t.replace(/\r?\n/g, "\\n");
}
