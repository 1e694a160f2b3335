// Splitting a full name (displayName, cn) into given and family name, for directories that have no
// givenName/sn. Heuristic by nature, so prefer givenName/sn and use this as a fallback:
// - Chinese name (Han characters only): family first; the surname comes from pinyin-pro's surname
//   dictionary, so compound surnames stay whole (欧阳娜娜 -> 欧阳 + 娜娜); with spaces, the first word;
// - "Family, Given" (a comma): the part before the first comma is the family name;
// - otherwise "Given … Family": the last word is the family name, the rest (as written) the given name;
// - a single word is a given name (no family name); a single Chinese word is a family name.
import { hanWords, splitHanName } from './pinyin.js';

export type NamePart = 'given' | 'family';

export function splitName(fullName: string, part: NamePart): string | undefined {
  const name = fullName.trim();
  if (name === '') return undefined;
  const pick = (family: string, given: string): string | undefined => {
    const v = (part === 'family' ? family : given).trim();
    return v === '' ? undefined : v;
  };

  const han = hanWords(name);
  if (han) {
    if (han.length > 1) return pick(han[0] ?? '', han.slice(1).join(' '));
    const { family, given } = splitHanName(name);
    return pick(family, given);
  }

  const comma = name.indexOf(',');
  if (comma >= 0) return pick(name.slice(0, comma), name.slice(comma + 1));

  const lastSpace = name.search(/\s\S+$/);
  if (lastSpace < 0) return pick('', name);
  return pick(name.slice(lastSpace + 1), name.slice(0, lastSpace));
}
