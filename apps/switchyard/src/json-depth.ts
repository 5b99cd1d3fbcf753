/** Deepest nesting of objects and arrays a JSON body may have: far beyond any real request. */
export const MAX_JSON_DEPTH = 100;

/**
 * Whether a JSON text nests objects and arrays deeper than `max`, in one pass that skips
 * strings. Parsing (and validating) 20,000 levels overflows the stack; this check runs first.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 92 /* \ */) index++;
      else if (code === 34 /* " */) inString = false;
    } else if (code === 34) {
      inString = true;
    } else if (code === 123 /* { */ || code === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (code === 125 /* } */ || code === 93 /* ] */) {
      depth--;
    }
  }
  return false;
}
