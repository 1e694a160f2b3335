// Colours derived from the admin's brand colour so that every page stays readable (WCAG 2 contrast):
// the text on the brand colour, and the brand-coloured text on a white page.

export interface Branding {
  readonly name: string;
  readonly logoUrl: string | undefined;
  /** `#rrggbb` */
  readonly color: string;
  /** text on the brand colour: white or near-black, whichever contrasts more */
  readonly onColor: string;
  /** brand colour for text and borders on white, darkened until it reaches 4.5:1 */
  readonly accent: string;
}

const INK = '#1b1f24';
const WHITE = '#ffffff';

function channels(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function darken(hex: string, factor: number): string {
  return `#${channels(hex).map((c) => Math.round(c * factor).toString(16).padStart(2, '0')).join('')}`;
}

/** `color` must be `#rrggbb` (validated by the configuration). */
export function makeBranding(name: string, color: string, logoUrl?: string): Branding {
  const onColor = contrast(color, WHITE) >= contrast(color, INK) ? WHITE : INK;
  let accent = color;
  for (let f = 0.9; contrast(accent, WHITE) < 4.5 && f > 0; f -= 0.1) accent = darken(color, f);
  return { name, logoUrl, color, onColor, accent };
}
