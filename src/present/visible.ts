// Text made safe to show: control characters taken from names and values are printed as visible escapes, never raw,
// so a captured value can neither end a shell comment nor send escape sequences to a terminal.

/**
 * C0 controls, DEL, C1 controls (CSI among them), the Unicode line and paragraph separators, and the bidirectional
 * marks and overrides (which can make a shown value read differently from what it is).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu;

/** The same, except newline and tab (which multi-line messages keep). */
const CONTROL_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** One line of text with every control character (newline, CR, ESC, DEL, C1, line separators, bidi overrides) shown as an escape such as \n or \x1b. */
export function visible(text: string): string {
  return text.replace(CONTROL, escape);
}

/** Multi-line text (messages) with every control character but newline and tab shown as an escape. */
export function visibleLines(text: string): string {
  return text.replace(CONTROL_IN_LINES, escape);
}
