// Shell-style wildcards (as glob(3) reads them in one path component): *, ? and [...] classes.

/** True when a path component holds a wildcard. */
export function hasWildcard(component: string): boolean {
  return /[*?[]/.test(component);
}

/** A regular expression matching what one path component's pattern matches (a leading "." only explicitly, as glob(3)). */
export function componentPattern(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      const body = pattern
        .slice(i + 1, close)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = close;
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${pattern.startsWith('.') ? '' : '(?!\\.)'}${out}$`);
}
