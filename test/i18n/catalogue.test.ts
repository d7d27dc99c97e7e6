import { describe, expect, it } from 'vitest';
import { catalogues, tables } from '../../src/i18n/messages/index.ts';
import { i18nFor } from '../../src/i18n/i18n.ts';
import { negotiateLocale } from '../../src/i18n/locale.ts';

const placeholders = (m: unknown) => [...new Set(JSON.stringify(m).match(/\{\w+\}|<\/?\w+>/g) ?? [])].sort();

describe('message catalogue', () => {
  it('prefixes every key with its catalogue name, so catalogues never clash', () => {
    const wrong = Object.entries(catalogues).flatMap(([name, c]) => Object.keys(c.en).filter((k) => !k.startsWith(`${name}.`)));
    expect(wrong).toEqual([]);
  });

  it('has the same keys, placeholders and markup in Chinese and English', () => {
    expect(Object.keys(tables['zh-CN']).sort()).toEqual(Object.keys(tables.en).sort());
    const differ = Object.keys(tables.en).filter((k) => placeholders(tables.en[k]).join() !== placeholders(tables['zh-CN'][k]).join());
    expect(differ).toEqual([]);
  });

  it('has Chinese in the Chinese table (no English left in by mistake)', () => {
    // A message of only placeholders, symbols or names (zquant, CSV) has nothing to translate.
    const latinOnly = Object.entries(tables['zh-CN']).filter(([k, m]) => {
      const s = JSON.stringify(m).replace(/\{\w+\}|<\/?\w+>/g, '');
      // A phrase (two words or more) left in English; a single name (JavaScript, CSV) reads the same in both.
      return (s.match(/[A-Za-z]{3,}/g) ?? []).length >= 2 && !/\p{Script=Han}/u.test(s) && s === JSON.stringify(tables.en[k]).replace(/\{\w+\}|<\/?\w+>/g, '');
    });
    expect(latinOnly.map(([k]) => k)).toEqual([]);
  });

  it('fills placeholders, picks plurals and marks up rich text', () => {
    const en = i18nFor('en');
    const zh = i18nFor('zh-CN');
    expect(en.t('layout.stillRunning', { seconds: 5 })).toBe('Still running: this page reloads every 5 s (with JavaScript it updates live).');
    expect(zh.t('layout.stillRunning', { seconds: 5 })).toBe('仍在运行：本页每 5 秒自动刷新（启用 JavaScript 时实时更新）。');
    expect(en.t('home.stocks', { count: 1 })).toBe('1 stock');
    expect(en.t('home.stocks', { count: 2 })).toBe('2 stocks');
    expect(zh.t('home.stocks', { count: 2 })).toBe('2 只股票');
    expect(en.t.rich('home.noData', { link: (s) => ({ a: s }) })).toEqual(['No market data yet. ', { a: 'Sync or import some' }, '.']);
  });

  it('formats numbers and times per locale', () => {
    expect(i18nFor('en').fmt.number(1234567.891, 2)).toBe('1,234,567.89');
    expect(i18nFor('zh-CN').fmt.percent(0.1234)).toBe('12.34%');
    expect(i18nFor('zh-CN').fmt.dateTime('2026-12-06T09:08:00Z')).toBe('2026年12月6日 09:08');
    expect(i18nFor('en').fmt.dateTime('2026-12-06T09:08:00Z')).toBe('Dec 6, 2026, 09:08');
    expect(i18nFor('en').fmt.number(null)).toBe('—');
  });

  it('negotiates Accept-Language: highest q first, zh-CN when nothing matches or nothing is said', () => {
    expect(negotiateLocale(undefined)).toBe('zh-CN');
    expect(negotiateLocale('fr-FR,fr;q=0.9')).toBe('zh-CN');
    expect(negotiateLocale('en-US,en;q=0.9')).toBe('en');
    expect(negotiateLocale('fr;q=1, en;q=0.5, zh-TW;q=0.8')).toBe('zh-CN');
    expect(negotiateLocale('zh;q=0.2, en')).toBe('en');
    expect(negotiateLocale('en;q=0')).toBe('zh-CN');
  });
});
