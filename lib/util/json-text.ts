// JSON.parse for files people edit: a mistake is said as its line and column and what was wrong,
// never with the text around it (JSON.parse quotes that, and it may hold a secret).

/** What JSON.parse found wrong, in words; trailing commas and comments are the usual slips. */
function mistake(message: string): string {
  if (/Expected double-quoted property name/i.test(message)) return 'expected a "quoted" key (JSON allows no trailing comma and no comments)';
  if (/Unexpected end of JSON/i.test(message)) return 'the text ends too early (a missing } or ])';
  if (/Unexpected non-whitespace character after JSON/i.test(message)) return 'more text after the end of the value';
  if (/Bad control character/i.test(message)) return 'a line break or tab inside a string (write \\n or \\t)';
  if (/Expected ',' or '[}\]]'/i.test(message)) return 'expected a comma or the end of the list (JSON allows no comments)';
  if (/Expected ':'/i.test(message)) return 'expected a colon after a key';
  return 'an unexpected character (JSON allows no comments, and strings take "double quotes")';
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
}

export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const at = position ? ` at ${lineAndColumn(text, Number(position))}` : '';
    const early = position !== undefined && Number(position) >= text.trimEnd().length;
    return { ok: false, problem: `not valid JSON${at}: ${early ? 'the text ends too early (a missing } or ])' : mistake(message)}` };
  }
}
