import PDFDocument from 'pdfkit';
import { faceName, fontFace, scripts, weights, type Script } from './fonts.ts';
import { drawText, layoutText, reversedByFontkit, type Direction, type Line, type ParagraphDirection } from './text.ts';

export type Align = 'start' | 'end' | 'center';

export interface TextStyle {
  size?: number;
  bold?: boolean;
  color?: string;
  /** In reading direction: 'start' is the left edge of a left-to-right document and the right edge of a right-to-left one. */
  align?: Align;
  /** Base direction of the paragraphs; the document's unless said ('auto' for names and notes people typed). */
  dir?: ParagraphDirection;
}

export interface DocumentOptions {
  direction: Direction;
  /** BCP 47 language of the document, e.g. 'bn'. */
  lang: string;
  title: string;
  author: string;
  createdAt: Date;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 40;
const LINE = 1.45;

/**
 * An A4 document laid out in reading direction: callers give x offsets from the start edge, and a
 * right-to-left document mirrors them. Text is shaped per script and ordered by the bidi algorithm
 * (text.ts); lines in Bengali or Arabic carry their logical text as ActualText so copying and search
 * give the words back rather than the glyphs in drawing order.
 */
export class PdfDocument {
  readonly pdf: PDFKit.PDFDocument;
  readonly direction: Direction;
  readonly lang: string;
  readonly margin = MARGIN;
  readonly width = A4.width - 2 * MARGIN;
  readonly bottom = A4.height - MARGIN;
  y = MARGIN;
  private readonly widths = new Map<string, number>();

  constructor(options: DocumentOptions) {
    this.direction = options.direction;
    this.lang = options.lang;
    this.pdf = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      bufferPages: true,
      lang: options.lang,
      displayTitle: true,
      info: { Title: options.title, Author: options.author, Creator: 'Uplink', Producer: 'Uplink', CreationDate: options.createdAt, ModDate: options.createdAt },
    });
    // PDFKit takes a fontkit font as it is (its typings know only files and bytes).
    for (const script of scripts) for (const weight of weights) this.pdf.registerFont(faceName(script, weight), fontFace(script, weight) as unknown as Buffer);
  }

  private face(script: Script, style: TextStyle): string {
    return faceName(script, style.bold ? 'bold' : 'regular');
  }

  private measureRun(text: string, script: Script, style: TextStyle): number {
    const size = style.size ?? 9;
    const face = this.face(script, style);
    const key = `${face}|${size}|${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      // Word by word, which PDFKit caches: no shaping crosses a space, so the sum is the run's width.
      w = this.pdf.font(face).fontSize(size).widthOfString(text);
      this.widths.set(key, w);
    }
    return w;
  }

  private lines(text: string, width: number, style: TextStyle = {}): Line[] {
    return layoutText(text, style.dir ?? this.direction, width, (t, s) => this.measureRun(t, s, style));
  }

  lineHeight(style: TextStyle = {}): number {
    return (style.size ?? 9) * LINE;
  }

  /** Height the text takes in a box of the width. */
  textHeight(text: string, width: number, style: TextStyle = {}): number {
    return this.lines(text, width, style).length * this.lineHeight(style);
  }

  /** The page x of a box that starts `x` points from the start edge. */
  private physicalX(x: number, width: number): number {
    return this.direction === 'rtl' ? this.margin + this.width - x - width : this.margin + x;
  }

  /** Draws wrapped text in a box (x from the start edge, y from the page top); answers the height used. */
  text(text: string, x: number, y: number, width: number, style: TextStyle = {}): number {
    const lines = this.lines(text, width, style);
    const size = style.size ?? 9;
    const left = this.physicalX(x, width);
    const align = style.align ?? 'start';
    const atRight = align === 'end' ? this.direction === 'ltr' : align === 'start' && this.direction === 'rtl';
    this.pdf.fillColor(style.color ?? '#1a1a1a');
    lines.forEach((line, i) => {
      const baseline = y + i * size * LINE + size * 1.08;
      let cx = align === 'center' ? left + (width - line.width) / 2 : atRight ? left + width - line.width : left;
      const complex = line.runs.some((r) => r.rtl || r.script !== 'latin');
      if (complex) this.pdf.markContent('Span', { actual: line.logical, lang: this.lang });
      for (const run of line.runs) {
        const glyphs = drawText(run);
        // PDFKit shapes word by word (cached) and concatenates in logical order, which for a run fontkit
        // reverses would put the words in reverse order; any features list makes it shape the run whole.
        const whole = reversedByFontkit(glyphs) ? { features: [] } : {};
        this.pdf.font(this.face(run.script, style)).fontSize(size).text(glyphs, cx, baseline, { lineBreak: false, baseline: 'alphabetic', ...whole });
        cx += this.measureRun(run.text, run.script, style);
      }
      if (complex) this.pdf.endMarkedContent();
    });
    return lines.length * size * LINE;
  }

  /** A filled and/or stroked rectangle (x from the start edge). */
  box(x: number, y: number, width: number, height: number, paint: { fill?: string; stroke?: string }): void {
    const rect = this.pdf.rect(this.physicalX(x, width), y, width, height);
    if (paint.fill && paint.stroke) rect.fillAndStroke(paint.fill, paint.stroke);
    else if (paint.fill) rect.fill(paint.fill);
    else if (paint.stroke) rect.lineWidth(0.5).stroke(paint.stroke);
  }

  rule(y: number, color = '#c8ccd2', x = 0, width = this.width): void {
    const left = this.physicalX(x, width);
    this.pdf.moveTo(left, y).lineTo(left + width, y).lineWidth(0.5).strokeColor(color).stroke();
  }

  /** Draws a PNG or JPEG fitted into the box at its start edge; false when the bytes are not an image PDFKit reads. */
  image(data: Buffer, x: number, y: number, width: number, height: number): boolean {
    try {
      this.pdf.image(data, this.physicalX(x, width), y, { fit: [width, height], ...(this.direction === 'rtl' ? { align: 'right' as const } : {}) });
      return true;
    } catch {
      return false;
    }
  }

  /** Starts a new page when `height` more points do not fit on this one; answers whether it did. */
  ensure(height: number): boolean {
    if (this.y + height <= this.bottom - 20) return false;
    this.pdf.addPage();
    this.y = this.margin;
    return true;
  }

  /** A large, faint, diagonal word across every page (PAID, VOID, DRAFT). */
  watermark(word: string, color: string): void {
    const style: TextStyle = { size: 72, bold: true, color, align: 'center' };
    const range = this.pdf.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.pdf.switchToPage(i);
      this.pdf.save();
      this.pdf.rotate(-35, { origin: [A4.width / 2, A4.height / 2] });
      this.pdf.fillOpacity(0.13);
      this.text(word, -this.margin, A4.height / 2 - 50, A4.width, style);
      this.pdf.restore();
    }
  }

  /** A footer line on every page, e.g. "Page 1 of 2". */
  footer(label: (page: number, pages: number) => string): void {
    const range = this.pdf.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.pdf.switchToPage(i);
      this.text(label(i - range.start + 1, range.count), 0, A4.height - MARGIN + 8, this.width, { size: 7.5, color: '#6b7280', align: 'center' });
    }
  }

  finish(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.pdf.on('data', (c: Buffer) => chunks.push(c));
      this.pdf.on('end', () => resolve(Buffer.concat(chunks)));
      this.pdf.on('error', reject);
      this.pdf.end();
    });
  }
}
