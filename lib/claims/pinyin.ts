// Chinese names: family/given split and Hanyu Pinyin romanization, both from pinyin-pro (its
// surname dictionary knows compound surnames such as 欧阳 and surname readings such as 单 = Shan).
// Output follows GB/T 28039-2011 (Chinese names in Latin letters): each part capitalised, the
// syllables of a part written together, an apostrophe before a syllable starting with a/o/e
// (嘉恩 -> Jia'en), no tone marks, ü kept (吕 -> Lü). Only text made entirely of Han characters
// (optionally words separated by spaces) is touched; anything else is returned as is.
import { lazyModule } from '../util/lazy.js';

const pinyinPro = lazyModule<typeof import('pinyin-pro')>('pinyin-pro');

const HAN_WORDS = /^\p{Script=Han}+(?:\s+\p{Script=Han}+)*$/u;
const SYLLABLE = /^[a-zü]+$/;

/** The space-separated Han words of `value`, or undefined if it is not Chinese-only text. */
export function hanWords(value: string): string[] | undefined {
  return HAN_WORDS.test(value) ? value.split(/\s+/) : undefined;
}

/** Family and given parts of a Chinese name written without spaces (张三, 欧阳娜娜). */
export function splitHanName(name: string): { family: string; given: string } {
  const { segment, OutputFormat } = pinyinPro();
  const segments = segment(name, {
    mode: 'surname',
    surname: 'head',
    toneType: 'none',
    format: OutputFormat.ZhSegment,
  });
  const family = segments[0] ?? name;
  return { family, given: name.slice(family.length) };
}

/** Romanizes one name part; undefined if pinyin-pro left a character it does not know. */
function romanizePart(text: string, asSurname: boolean): string | undefined {
  const syllables = pinyinPro().pinyin(text, {
    toneType: 'none',
    type: 'array',
    ...(asSurname ? { mode: 'surname' as const, surname: 'all' as const } : {}),
  });
  if (syllables.length === 0 || !syllables.every((s) => SYLLABLE.test(s))) return undefined;
  const joined = syllables.map((s, i) => (i > 0 && /^[aoe]/.test(s) ? `'${s}` : s)).join('');
  return joined.charAt(0).toUpperCase() + joined.slice(1);
}

function romanizeWords(words: string[], asSurname: boolean): string | undefined {
  const out: string[] = [];
  for (const w of words) {
    const r = romanizePart(w, asSurname);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out.join(' ');
}

export type PinyinPart = 'given' | 'family' | 'full';

/**
 * `family`/`given`: `value` is that part of a name (欧阳 -> Ouyang, 娜娜 -> Nana).
 * `full`: `value` is a whole name, family first (欧阳娜娜 -> Ouyang Nana, 张 三 -> Zhang San).
 */
export function romanizeName(value: string, part: PinyinPart): string {
  const words = hanWords(value);
  if (!words) return value;
  let result: string | undefined;
  if (part !== 'full') {
    result = romanizeWords(words, part === 'family');
  } else {
    const [first = '', ...rest] = words;
    const { family, given } = rest.length > 0 ? { family: first, given: rest.join(' ') } : splitHanName(first);
    const f = romanizePart(family, true);
    const g = given === '' ? '' : romanizeWords(given.split(' '), false);
    result = f === undefined || g === undefined ? undefined : g === '' ? f : `${f} ${g}`;
  }
  return result ?? value;
}
