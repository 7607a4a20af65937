import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Reading generated PDFs back in tests: Mozilla's pdf.js parses them (as a viewer would), and a few
 * raw-structure readers look at what pdf.js does not expose (ActualText spans, font names).
 */

export interface TextItem {
  str: string;
  x: number;
  y: number;
}

export interface GlyphRun {
  /** PostScript name of the embedded font, subset tag dropped: 'NotoSansBengali-Regular'. */
  font: string;
  glyphs: { id: number; unicode: string; width: number }[];
}

async function open(pdf: Buffer) {
  return getDocument({ data: new Uint8Array(pdf), disableFontFace: true, verbosity: 0 }).promise;
}

/** Every text item of every page with its position (x from the left edge, y from the bottom). */
export async function textItems(pdf: Buffer): Promise<TextItem[]> {
  const doc = await open(pdf);
  const items: TextItem[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    for (const item of content.items) if ('str' in item) items.push({ str: item.str, x: item.transform[4] as number, y: item.transform[5] as number });
  }
  await doc.destroy();
  return items;
}

/** The text of the document as pdf.js reads it, non-breaking and narrow spaces as plain spaces. */
export async function pdfText(pdf: Buffer): Promise<string> {
  return (await textItems(pdf)).map((i) => i.str).join(' ').replace(/[\s\u00a0\u202f]+/g, ' ');
}

export async function pdfInfo(pdf: Buffer): Promise<{ title: string; pages: number }> {
  const doc = await open(pdf);
  const meta = await doc.getMetadata();
  const out = { title: (meta.info as { Title?: string }).Title ?? '', pages: doc.numPages };
  await doc.destroy();
  return out;
}

/** The glyphs each text object (BT … ET: one drawn run) shows, in drawing order (left to right), with their font. */
export async function glyphRuns(pdf: Buffer): Promise<GlyphRun[]> {
  const doc = await open(pdf);
  const runs: GlyphRun[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const page = await doc.getPage(p);
    const ops = await page.getOperatorList();
    let run: GlyphRun = { font: '', glyphs: [] };
    ops.fnArray.forEach((fn, i) => {
      const args = ops.argsArray[i] as unknown[];
      if (fn === OPS.beginText) run = { font: '', glyphs: [] };
      if (fn === OPS.setFont) run.font = String((page.commonObjs.get(args[0] as string) as { name: string }).name).replace(/^[A-Z]{6}\+/, '');
      if (fn === OPS.showText)
        run.glyphs.push(
          ...(args[0] as unknown[])
            .filter((g): g is { originalCharCode: number; unicode: string; width: number } => typeof g === 'object' && g !== null)
            .map((g) => ({ id: g.originalCharCode, unicode: g.unicode, width: g.width })),
        );
      if (fn === OPS.endText) runs.push(run);
    });
  }
  await doc.destroy();
  return runs;
}

/** Names of the fonts embedded in the file, subset tags dropped. */
export function embeddedFonts(pdf: Buffer): string[] {
  const names = [...pdf.toString('latin1').matchAll(/\/BaseFont \/(?:[A-Z]{6}\+)?([A-Za-z0-9-]+)/g)].map((m) => m[1]!);
  return [...new Set(names)].sort();
}

function decodeLiteral(raw: string): string {
  const bytes = raw.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, e: string) => {
    const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
    return map[e] ?? (/^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e);
  });
  const buf = Buffer.from(bytes, 'latin1');
  if (buf[0] === 0xfe && buf[1] === 0xff) return buf.subarray(2).swap16().toString('utf16le');
  return buf.toString('latin1');
}

/** The ActualText of every marked span in the page content: the words a reader copies or searches. */
export function actualTexts(pdf: Buffer): string[] {
  const text = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of text.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    for (const a of content.matchAll(/\/ActualText \(((?:\\.|[^\\)])*)\)/g)) out.push(decodeLiteral(a[1]!));
  }
  return out;
}

/** A small valid PNG (a 40×20 navy rectangle), for a logo. */
export function pngLogo(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const [w, h] = [40, 20];
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, Buffer.from([0x1f, 0x3a, 0x5f]))]);
  const pixels = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}
