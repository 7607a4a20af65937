import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The habits that put floats into money: each one has cost some billing system real cents. */
const floatHabits = [/parseFloat/, /Number\(/, /\.toFixed\(/, /\.toPrecision\(/, /Math\.round/, /\*\s*100\b/, /\/\s*100\b/];

const sources = readdirSync(new URL('.', import.meta.url))
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
  .map((name) => ({ name, text: readFileSync(new URL(name, import.meta.url), 'utf8') }));

describe('no floats for money in src/core', () => {
  it('the scan catches the classic mistake (positive control)', () => {
    const mistake = 'const cents = Math.round(parseFloat(price) * 100);';
    expect(floatHabits.filter((habit) => habit.test(mistake))).toHaveLength(3);
  });

  it.each(sources)('$name uses none of the float habits', ({ text }) => {
    for (const habit of floatHabits) expect(text).not.toMatch(habit);
  });
});
