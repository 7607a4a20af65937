import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

/**
 * The typefaces every generated PDF draws with: Noto Sans for Latin (and Swahili, French), Noto Sans
 * Bengali and Noto Sans Arabic, regular and bold. The TTFs come from npm packages (OFL-1.1, the licence
 * ships beside them in node_modules), so a machine without system fonts renders the same documents.
 */
export type Script = 'latin' | 'bengali' | 'arabic';
export type Weight = 'regular' | 'bold';

const files: Record<Script, Record<Weight, string>> = {
  latin: {
    regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  },
  bengali: {
    regular: '@expo-google-fonts/noto-sans-bengali/400Regular/NotoSansBengali_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-bengali/700Bold/NotoSansBengali_700Bold.ttf',
  },
  arabic: {
    regular: '@expo-google-fonts/noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf',
  },
};

export const scripts: readonly Script[] = ['latin', 'bengali', 'arabic'];
export const weights: readonly Weight[] = ['regular', 'bold'];

/** The name a face is registered under in a PDF document. */
export const faceName = (script: Script, weight: Weight): string => `${script}-${weight}`;

const require = createRequire(import.meta.url);
const bytes = new Map<string, Buffer>();
const parsed = new Map<string, fontkit.Font>();

/** The TTF bytes of a face, read once per process. */
export function fontBytes(script: Script, weight: Weight): Buffer {
  const key = faceName(script, weight);
  let data = bytes.get(key);
  if (!data) bytes.set(key, (data = readFileSync(require.resolve(files[script][weight]))));
  return data;
}

/**
 * A face parsed once per process and shared by every document: fontkit decodes tables and caches
 * glyphs and shaping plans on the font object, which is most of the cost of a small PDF. Layout is
 * synchronous, so documents made concurrently never interleave on it; each document keeps its own
 * subset of the glyphs it used.
 */
export function fontFace(script: Script, weight: Weight): fontkit.Font {
  const key = faceName(script, weight);
  let font = parsed.get(key);
  if (!font) parsed.set(key, (font = fontkit.create(fontBytes(script, weight)) as fontkit.Font));
  return font;
}

const coverage = (script: Script): fontkit.Font => fontFace(script, 'regular');

const bengali = /\p{Script=Bengali}/u;
const arabic = /\p{Script=Arabic}/u;

/**
 * The face for one character: its own script's font when the character belongs to Bengali or Arabic,
 * else the font of the text around it when that font has a glyph for it (a space or a comma stays in
 * the run it sits in), else the first font that has it, else Latin (whose missing-glyph box shows the gap).
 */
export function scriptFor(char: string, around: Script): Script {
  if (bengali.test(char)) return 'bengali';
  if (arabic.test(char)) return 'arabic';
  const cp = char.codePointAt(0) ?? 0;
  if (coverage(around).hasGlyphForCodePoint(cp)) return around;
  return scripts.find((s) => coverage(s).hasGlyphForCodePoint(cp)) ?? 'latin';
}
