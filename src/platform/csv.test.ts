import { describe, expect, it } from 'vitest';
import { parseCsv, sniffDelimiter } from './csv.ts';

describe('delimited text', () => {
  it('reads RFC 4180: quoted separators, doubled quotes, line breaks in a cell; each record with the line it starts on', () => {
    const text = '\uFEFFname,note\r\n"Amina, Ltd","said ""hi"""\r\n"Two\nlines",x\nlast,y';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['name', 'note'] },
      { line: 2, cells: ['Amina, Ltd', 'said "hi"'] },
      { line: 3, cells: ['Two\nlines', 'x'] },
      { line: 5, cells: ['last', 'y'] },
    ]);
  });

  it('uses the delimiter the file uses most (semicolon, tab), or the one given', () => {
    expect(sniffDelimiter('Date;Amount;Ref\n2026-11-20;1,5;A\n')).toBe(';');
    expect(sniffDelimiter('Date\tAmount\n2026-11-20\t100\n')).toBe('\t');
    expect(parseCsv('Date;Amount\n2026-11-20;"1.500,25"\n')).toEqual([
      { line: 1, cells: ['Date', 'Amount'] },
      { line: 2, cells: ['2026-11-20', '1.500,25'] },
    ]);
    expect(parseCsv('a;b,c\n', ',')).toEqual([{ line: 1, cells: ['a;b', 'c'] }]);
  });

  it('skips blank rows (spaces only too) and opens a quote after leading spaces', () => {
    expect(parseCsv('a,b\n\n  ,  \n1,  "x, y"\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 4, cells: ['1', 'x, y'] },
    ]);
  });

  it('never throws on what is not well formed: an unclosed quote reads to the end', () => {
    expect(parseCsv('a,"b\nc')).toEqual([{ line: 1, cells: ['a', 'b\nc'] }]);
    expect(parseCsv('')).toEqual([]);
  });
});
