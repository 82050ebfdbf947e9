import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The `common` namespace (the call and supervision views): English and German hold the same keys,
 * no empty text, the same {{variables}} and markup per key, and every key the views use exists.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const viewsDir = join(here, '..', 'views');
const languages = ['en', 'de'] as const;

type Tree = { [key: string]: string | Tree };

function load(lng: string): Tree {
  return JSON.parse(readFileSync(join(here, 'locales', lng, 'common.json'), 'utf8')) as Tree;
}

/** Leaves as dotted keys; anything that is neither text nor an object is kept as is, to fail below. */
function flatten(tree: Tree, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

const flat = Object.fromEntries(languages.map((l) => [l, flatten(load(l))])) as Record<(typeof languages)[number], Map<string, unknown>>;

const variables = (text: string) => [...text.matchAll(/\{\{\s*([^}\s,]+)[^}]*\}\}/g)].map((m) => m[1]).sort();
const tags = (text: string) => [...text.matchAll(/<\/?([A-Za-z0-9]+)\s*\/?>/g)].map((m) => m[0]).sort();

/** i18next's plural suffixes (`_one`, `_other`...), from Intl's plural rules as i18next v27 uses them. */
const pluralSuffix = /_(zero|one|two|few|many|other)$/;

function exists(key: string): boolean {
  const en = flat.en;
  if (en.has(key)) return true;
  return [...en.keys()].some((k) => pluralSuffix.test(k) && k.replace(pluralSuffix, '') === key);
}

function viewSources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.tsx'))
    .map((d) => {
      const file = join(d.parentPath, d.name);
      return { file, text: readFileSync(file, 'utf8') };
    });
}

describe('common locales', () => {
  it('English and German have exactly the same keys', () => {
    const en = [...flat.en.keys()].sort();
    const de = [...flat.de.keys()].sort();
    expect(de.filter((k) => !flat.en.has(k)), 'only in de').toEqual([]);
    expect(en.filter((k) => !flat.de.has(k)), 'only in en').toEqual([]);
    expect(en.length).toBeGreaterThan(0);
  });

  it('every value is a non-empty string', () => {
    for (const lng of languages)
      for (const [key, value] of flat[lng]) {
        expect(typeof value, `${lng}: ${key}`).toBe('string');
        expect((value as string).trim(), `${lng}: ${key}`).not.toBe('');
      }
  });

  it('each key has the same interpolation variables and markup in both languages', () => {
    for (const [key, en] of flat.en) {
      const de = flat.de.get(key);
      if (typeof en !== 'string' || typeof de !== 'string') continue;
      expect(variables(de), `variables of ${key}`).toEqual(variables(en));
      expect(tags(de), `markup of ${key}`).toEqual(tags(en));
    }
  });

  it('plural keys have every form each language needs, and use {{count}}', () => {
    for (const lng of languages) {
      const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
      const bases = new Set([...flat[lng].keys()].filter((k) => pluralSuffix.test(k)).map((k) => k.replace(pluralSuffix, '')));
      for (const base of bases)
        for (const c of categories) {
          const value = flat[lng].get(`${base}_${c}`);
          expect(typeof value, `${lng}: ${base}_${c}`).toBe('string');
          expect(variables(value as string), `${lng}: ${base}_${c}`).toContain('count');
        }
    }
  });

  it('every key the views use exists in en/common.json', () => {
    const topLevel = new Set([...flat.en.keys()].map((k) => k.split('.')[0]));
    const missing: string[] = [];
    let used = 0;
    for (const { file, text } of viewSources(viewsDir)) {
      // A view of another namespace (useTranslation('desktop')) and none of ours: its keys are not ours.
      const namespaces = [...text.matchAll(/useTranslation\(\s*(?:(['"])([^'"]*)\1)?/g)].map((m) => m[2] ?? 'common');
      if (namespaces.length > 0 && !namespaces.includes('common')) continue;
      const keys = [
        // t('key'), t("key"), translate('key'): a key in a template literal is dynamic and skipped.
        ...[...text.matchAll(/\b(?:t|translate)\(\s*(['"])([^'"]+)\1/g)].map((m) => m[2]),
        // <Trans i18nKey="key"> or i18nKey={'key'}
        ...[...text.matchAll(/i18nKey=\{?\s*(['"])([^'"]+)\1/g)].map((m) => m[2]),
        // Keys held in lookup tables ({ ringing: 'callCard.state.ringing' }): literals shaped like a key of ours.
        ...[...text.matchAll(/(['"])([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+)\1/g)].map((m) => m[2]).filter((k) => topLevel.has(k.split('.')[0])),
      ];
      for (const key of keys) {
        if (key.includes(':') || key.includes('${')) continue; // another namespace (desktop:...), or dynamic
        used++;
        if (!exists(key)) missing.push(`${file.slice(viewsDir.length + 1)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
    expect(used).toBeGreaterThan(100);
  });
});
