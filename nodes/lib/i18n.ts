/** Languages the core can phrase its own messages in. */
export type Lang = 'en' | 'de';

export const LANGS: readonly Lang[] = ['en', 'de'];

/** Picks our language from a Node-RED / POSIX locale such as "de", "de-DE" or "de_AT.UTF-8". */
export function langFromLocale(locale: string | undefined): Lang {
  return locale !== undefined && /^de\b|^de[-_]/i.test(locale) ? 'de' : 'en';
}

/** Replaces `{name}` placeholders with values. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = values[key];
    return value === undefined ? whole : String(value);
  });
}
