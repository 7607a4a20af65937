import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actions, resources } from '../../src/platform/auth/permissions.ts';

const webSrc = path.resolve(import.meta.dirname, '..', '..', 'web', 'src');
const languages = ['en', 'bn', 'sw', 'fr', 'ar'] as const;

type Messages = { [key: string]: string | Messages };

function flatten(messages: Messages, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(messages)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

function load(language: string): Map<string, string> {
  return flatten(JSON.parse(fs.readFileSync(path.join(webSrc, 'locales', `${language}.json`), 'utf8')) as Messages);
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

/** Texts that are the same word in English and the other language (abbreviations, cognates). */
const sameAsEnglish: Record<string, string[]> = {
  bn: ['organizations.kind.isp', 'users.twoFactor', 'sessions.nas'],
  sw: ['organizations.kind.isp', 'users.twoFactor', 'sessions.nas', 'usageGraphs.quota.data'],
  fr: ['common.actions', 'users.twoFactor', 'roles.form.description', 'audit.action', 'audit.dates', 'sessions.tab', 'sessions.nas'],
  ar: ['sessions.nas'],
};

const en = load('en');

describe.each(languages.filter((l) => l !== 'en'))('the %s translation', (language) => {
  const messages = load(language);

  it('has every key English has, and no other', () => {
    expect([...en.keys()].filter((k) => !messages.has(k))).toEqual([]);
    expect([...messages.keys()].filter((k) => !en.has(k))).toEqual([]);
  });

  it('has no empty text', () => {
    expect([...messages].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
  });

  it('uses the same placeholders as English', () => {
    const differing = [...en].filter(([k, v]) => messages.has(k) && placeholders(v).join() !== placeholders(messages.get(k)!).join());
    expect(differing.map(([k]) => k)).toEqual([]);
  });

  it('leaves no English text untranslated', () => {
    const same = [...en].filter(([k, v]) => messages.get(k) === v).map(([k]) => k);
    expect(same).toEqual(sameAsEnglish[language]);
  });
});

describe('the English messages', () => {
  it('have no empty text', () => {
    expect([...en].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
  });

  it('name every resource and action of the permission catalogue (the role matrix shows them)', () => {
    const keys = [...Object.keys(resources).map((r) => `permissions.resource.${r}`), ...actions.map((a) => `permissions.action.${a}`)];
    expect(keys.filter((k) => !en.has(k))).toEqual([]);
  });

  it('contain every key the source code names literally', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
      }
    };
    walk(webSrc);
    const used = new Set<string>();
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([\w.]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/labelKey: '([\w.]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\? '([a-z]+\.[\w.]+)' : '([a-z]+\.[\w.]+)'/g)) used.add(m[1]!).add(m[2]!);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !en.has(k)).sort()).toEqual([]);
  });
});
