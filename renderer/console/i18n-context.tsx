// The console's language: one I18n object per locale (from common/i18n.ts, the one translation
// table), handed down through a React context.
import { createContext, useContext } from 'react';
import { formatDateTime, formatNumber, translate, translateError, type Locale, type MessageKey } from '../../common/i18n';
import type { ErrorPayload } from '../../common/errors';

export type MessageParams = Record<string, string | number>;

export interface I18n {
  readonly locale: Locale;
  t(key: MessageKey, params?: MessageParams): string;
  /** An error as a sentence a streamer understands (never a stack trace). */
  error(error: Pick<ErrorPayload, 'code' | 'message'>): string;
  number(value: number, options?: Intl.NumberFormatOptions): string;
  time(epochMs: number): string;
}

export function makeI18n(locale: Locale): I18n {
  return {
    locale,
    t: (key, params) => translate(locale, key, params),
    error: (error) => translateError(locale, error),
    number: (value, options) => formatNumber(locale, value, options),
    time: (epochMs) => formatDateTime(locale, epochMs, { timeStyle: 'medium' }),
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
