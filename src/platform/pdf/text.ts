import { createRequire } from 'node:module';
import { scriptFor, type Script } from './fonts.ts';

/**
 * Turns a paragraph into lines of drawable runs: the Unicode bidirectional algorithm (UAX #9) for
 * Arabic in a left-to-right document and Latin or numbers in a right-to-left one, a font per script,
 * and line breaking that measures the shaped text. PDFKit and pdfmake have no bidi support; fontkit
 * shapes one run at a time (joining forms, Bengali conjuncts and vowel reordering) and lays out a run
 * of a right-to-left script in reverse, so each run handed over must be single-direction, and the
 * runs must be placed left to right in visual order. Lines break in logical order first and are
 * reordered one by one, as UAX #9 prescribes.
 */
export type Direction = 'ltr' | 'rtl';
/** A paragraph's base direction: fixed, or 'auto' from its first strong character (text people typed). */
export type ParagraphDirection = Direction | 'auto';

/**
 * Keeps a left-to-right value (phone number, e-mail, account or invoice number) in one piece and in
 * reading order inside right-to-left text: without the isolate, "+254 700 000 111" in Arabic shows as
 * "111 000 700 254+", which is what UAX #9 says for digits separated by spaces in a right-to-left line.
 */
export const ltr = (value: string): string => `\u2066${value}\u2069`;

/** Keeps text people typed (a name, an address) in one piece, in the direction of its own first letters. */
export const isolate = (value: string): string => `\u2068${value}\u2069`;

export interface Run {
  /** The characters in logical order, mirrored brackets already swapped in a right-to-left run. */
  readonly text: string;
  readonly script: Script;
  readonly rtl: boolean;
}

export interface Line {
  /** Runs from left to right as they appear on the page. */
  readonly runs: readonly Run[];
  /** The line's characters in logical (reading) order, for the PDF's ActualText. */
  readonly logical: string;
  readonly width: number;
}

/** Width in points of a single-direction run in one script at the caller's size and weight. */
export type Measure = (text: string, script: Script) => number;

// bidi-js is CommonJS whose typings claim an ES default export: require gives the factory on both counts.
const bidi = (createRequire(import.meta.url)('bidi-js') as typeof import('bidi-js').default)();
// Directional marks and embeddings steer the algorithm; no font draws them.
const invisible = /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;
const space = /\s/;
const firstStrong = /[^\p{Script=Common}\p{Script=Inherited}\p{Script=Unknown}]/u;
const rtlScript = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The string to hand fontkit for a run so its glyphs come out in visual order: fontkit reverses any
 * run whose first script-bearing character is right-to-left. A right-to-left run without such a
 * character (brackets, dashes) is reversed here instead, and a left-to-right run that fontkit would
 * reverse (Arabic-Indic digits belong to the Arabic script) is reversed here so its reversal undoes it.
 */
export function drawText(run: Run): string {
  return reversedByFontkit(run.text) === run.rtl ? run.text : [...run.text].reverse().join('');
}

/** Whether fontkit lays the text out in reverse (its first script-bearing character is right-to-left). */
export function reversedByFontkit(text: string): boolean {
  return rtlScript.test(firstStrong.exec(text)?.[0] ?? '');
}

/** Script of every UTF-16 unit of the text (both halves of a surrogate pair share one). */
function scriptsOf(text: string): Script[] {
  const out: Script[] = [];
  let around: Script = 'latin';
  for (const char of text) {
    const script = scriptFor(char, around);
    if (!space.test(char)) around = script;
    for (let i = 0; i < char.length; i++) out.push(script);
  }
  return out;
}

/** Splits [start, end) of the text into maximal same-script pieces, in logical order. */
function scriptPieces(text: string, scripts: Script[], start: number, end: number): { text: string; script: Script }[] {
  const pieces: { text: string; script: Script }[] = [];
  let from = start;
  for (let i = start + 1; i <= end; i++) {
    if (i === end || scripts[i] !== scripts[from]) {
      const piece = text.slice(from, i).replace(new RegExp(invisible, 'g'), '');
      if (piece) pieces.push({ text: piece, script: scripts[from]! });
      from = i;
    }
  }
  return pieces;
}

/** Break candidates of a paragraph: words with the spaces after them, long words cut between graphemes. */
function words(text: string, width: number, measureRange: (s: number, e: number) => number): [number, number][] {
  const out: [number, number][] = [];
  const pattern = /\S+\s*|\s+/g;
  for (const m of text.matchAll(pattern)) {
    const start = m.index;
    const end = start + m[0].length;
    if (measureRange(start, start + m[0].trimEnd().length) <= width) {
      out.push([start, end]);
      continue;
    }
    let from = start;
    for (const g of graphemes.segment(m[0])) {
      const at = start + g.index;
      if (at > from && measureRange(from, at + g.segment.length) > width) {
        out.push([from, at]);
        from = at;
      }
    }
    out.push([from, end]);
  }
  return out;
}

/** Lays one paragraph (no line breaks inside) out in lines no wider than `width`. */
export function layoutParagraph(text: string, direction: ParagraphDirection, width: number, measure: Measure): Line[] {
  if (text.trim() === '') return [{ runs: [], logical: '', width: 0 }];
  const scripts = scriptsOf(text);
  const cache = new Map<string, number>();
  const measureRange = (s: number, e: number): number => {
    const key = `${s}:${e}`;
    let w = cache.get(key);
    if (w === undefined) cache.set(key, (w = scriptPieces(text, scripts, s, e).reduce((sum, p) => sum + measure(p.text, p.script), 0)));
    return w;
  };
  const ranges: [number, number][] = [];
  let line: [number, number] | null = null;
  for (const [s, e] of words(text, width, measureRange)) {
    if (line && measureRange(line[0], s + text.slice(s, e).trimEnd().length) <= width) line[1] = e;
    else {
      if (line) ranges.push(line);
      line = [s, e];
    }
  }
  if (line) ranges.push(line);
  const levels = bidi.getEmbeddingLevels(text, direction);
  return ranges.map(([s, e]) => {
    const end = s + text.slice(s, e).trimEnd().length;
    return visualLine(text, levels, scripts, s, end, measure);
  });
}

function visualLine(text: string, levels: ReturnType<typeof bidi.getEmbeddingLevels>, scripts: Script[], start: number, end: number, measure: Measure): Line {
  const logical = text.slice(start, end).replace(new RegExp(invisible, 'g'), '');
  if (end <= start) return { runs: [], logical, width: 0 };
  // bidi-js answers the order of the whole paragraph with only this line's stretch reordered.
  const order = bidi
    .getReorderedIndices(text, levels, start, end - 1)
    .slice(start, end)
    .filter((i: number) => !invisible.test(text[i]!));
  const mirrored = bidi.getMirroredCharactersMap(text, levels.levels, start, end - 1);
  const groups: number[][] = [];
  for (const i of order) {
    const group = groups.at(-1);
    const prev = group?.at(-1);
    const rtl = levels.levels[i]! % 2 === 1;
    const adjacent = prev !== undefined && scripts[prev] === scripts[i] && levels.levels[prev]! % 2 === (rtl ? 1 : 0) && prev + (rtl ? -1 : 1) === i;
    if (group && adjacent) group.push(i);
    else groups.push([i]);
  }
  const runs = groups.map((g) => {
    const from = Math.min(...g);
    const to = Math.max(...g);
    let runText = '';
    for (let i = from; i <= to; i++) runText += mirrored.get(i) ?? text[i];
    return { text: runText, script: scripts[from]!, rtl: levels.levels[from]! % 2 === 1 };
  });
  return { runs, logical, width: runs.reduce((sum, r) => sum + measure(r.text, r.script), 0) };
}

/** Lays text out in lines; a line break in the text starts a new paragraph. */
export function layoutText(text: string, direction: ParagraphDirection, width: number, measure: Measure): Line[] {
  return text.split(/\r?\n/).flatMap((p) => layoutParagraph(p, direction, width, measure));
}
