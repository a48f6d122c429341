/**
 * Characters a terminal acts on rather than shows: C0 and C1 controls (ESC starts the sequences
 * that clear the screen or move the cursor, CR rewrites a line) and the Unicode bidi overrides that
 * reorder what is shown. Job names, ids, data and reasons come from any producer, so every
 * terminal view passes them through here.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

function escapeControl(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/** One table cell or title: controls escaped, line breaks and tabs shown as \n and \t, cut to max. */
export function oneLine(text: string | null | undefined, max: number): string {
  const line = (text ?? '').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(CONTROL, escapeControl)
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** A block (data, an error, a stack): line breaks kept, other controls escaped, cut to max characters. */
export function block(text: string, max: number): string {
  const safe = text.replace(/\t/g, '  ').replace(CONTROL, escapeControl)
  return safe.length > max ? `${safe.slice(0, max)}… (${text.length} characters, cut; --json prints all)` : safe
}
