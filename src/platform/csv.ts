/**
 * Delimited text (CSV as RFC 4180 has it; semicolon or tab where a spreadsheet in a comma-decimal
 * locale wrote one): the one reader every import uses (subscribers, usage readings, bank and M-PESA
 * statements). Quoted cells may hold separators, quotes and line breaks; a quote after leading
 * spaces still opens a quoted cell; each record keeps the line it starts on, so a report can point
 * at it; blank rows are skipped and a leading byte-order mark is dropped. It never throws: what is
 * not well formed is read as text, for the import's own checks to name.
 */

/** One record: its cells and the line it starts on (1 = the first line of the file). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export type Delimiter = ',' | ';' | '\t';

/** The delimiter the first lines use most: comma, semicolon or tab. */
export function sniffDelimiter(text: string): Delimiter {
  const head = text.split(/\r?\n/, 30).join('\n');
  const count = (ch: string) => head.split(ch).length - 1;
  const ranked = ([',', ';', '\t'] as const).map((d) => [d, count(d)] as const).sort((a, b) => b[1] - a[1]);
  return ranked[0]![0];
}

/** The records of delimited text; the delimiter is the one the file uses most unless given. */
export function parseCsv(input: string, sep: string = sniffDelimiter(input)): CsvRecord[] {
  const s = input.replace(/^\uFEFF/, '');
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRecord = () => {
    cells.push(cell);
    if (cells.some((c) => c.trim() !== '')) records.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === sep) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += ch;
  }
  endRecord();
  return records;
}
