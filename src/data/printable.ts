/** Whether `c` is a control character (C0, DEL, C1) or a Unicode line or paragraph separator: one that would break a line of output. */
function breaksLine(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
}

/**
 * A name (file, folder, class) as it can be shown on one line: unchanged when it holds no control
 * characters, else quoted and escaped as a JSON string, so a newline in a file name cannot break a
 * table or a message.
 * @example printable("cat") // "cat"
 * @example printable("a\nb.png") // "\"a\\nb.png\"" (shown as "a\nb.png", quotes included)
 */
export function printable(name: string): string {
  let plain = true;
  for (let i = 0; i < name.length && plain; i++) plain = !breaksLine(name.charCodeAt(i));
  if (plain) return name;
  // JSON.stringify escapes C0 controls only; DEL, C1 (0x9b starts a terminal escape) and U+2028/9 too.
  let out = "";
  for (const ch of JSON.stringify(name)) {
    const c = ch.charCodeAt(0);
    out += breaksLine(c) ? `\\u${c.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}
