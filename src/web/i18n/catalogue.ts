/** The catalogue of a page's language (see vi.ts for how the two are kept in step). */
import type { WebLang } from '../web.types.js';
import { en } from './en.js';
import { type Catalogue, vi } from './vi.js';

/** Vietnamese unless English was asked for: the screens are Vietnamese first. */
export function texts(lang: WebLang): Catalogue {
  return lang === 'en' ? en : vi;
}
