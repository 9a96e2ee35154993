import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors';
import { formatNumber, matchLocale, messageTables, translate, translateError } from '../i18n';

describe('translation table', () => {
  it('has every key in English and Simplified Chinese, with the same placeholders', () => {
    const { en, 'zh-CN': zh } = messageTables();
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en)) {
      const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
      expect(placeholders(zh[key]!), key).toEqual(placeholders(en[key]!));
    }
  });

  it('has a sentence for every error code', () => {
    const { en } = messageTables();
    for (const code of ERROR_CODES) expect(en[`error.${code}`], code).toBeTypeOf('string');
  });

  it('fills placeholders with localised numbers', () => {
    expect(translateError('en', { code: 'LINK_QUOTA_EXCEEDED', message: 'x', params: { quota: 3 } })).toContain('at most 3');
    expect(translateError('zh-CN', { code: 'LINK_QUOTA_EXCEEDED', message: 'x', params: { quota: 3 } })).toContain('最多 3 路');
    expect(translate('en', 'status.reconnecting', { attempt: 1200 })).toContain('1,200');
    expect(formatNumber('zh-CN', 1234.5)).toBe('1,234.5');
  });

  it('maps browser language tags to a supported locale', () => {
    expect(matchLocale('zh-TW')).toBe('zh-CN');
    expect(matchLocale('zh')).toBe('zh-CN');
    expect(matchLocale('fr-FR')).toBe('en');
    expect(matchLocale(undefined)).toBe('en');
  });
});
