/**
 * What Mailchimp accepts in the text the sync sends about a person, and the one rule that makes a
 * Sage value fit (docs/customer-sync.md, "Values Mailchimp limits"):
 * 1. characters that are not text are removed: C0 controls (NUL, ESC...; tabs and line breaks are
 *    already spaces), DEL and C1 controls, bidirectional embeddings, overrides and isolates
 *    (U+202A-U+202E, U+2066-U+2069: a right-to-left override makes a name display reversed), and
 *    lone UTF-16 surrogates (not encodable as UTF-8);
 * 2. runs of spaces left behind become one, ends are trimmed;
 * 3. the value is cut to the field's length in characters (code points: a pair is never split),
 *    then trimmed again. A value left empty is not sent.
 * Each change is named (`COMPANY truncated to 255`) so the job's audit shows what was sent.
 */

/** Mailchimp's text audience fields (FNAME, LNAME, COMPANY...) hold 255 characters. */
export const MERGE_TEXT_MAX = 255;
/** Mailchimp's limit on an e-commerce customer id (OpenAPI: maxLength 50). */
export const ECOMMERCE_CUSTOMER_ID_MAX = 50;

// Control characters are what this pattern is for.
// eslint-disable-next-line no-control-regex
const NOT_TEXT = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\p{Cs}/gu;

export interface FittedText {
  value: string;
  /** What was changed, named after `label`; empty when the value was sent as is. */
  adjusted: string[];
}

/** `raw` made fit for a Mailchimp text value of at most `max` characters (the rule above). */
export function fitText(label: string, raw: string, max = MERGE_TEXT_MAX): FittedText {
  const adjusted: string[] = [];
  let value = raw;
  const cleaned = value.replace(NOT_TEXT, '');
  if (cleaned !== value) {
    adjusted.push(`${label}: control or direction characters removed`);
    value = cleaned.replace(/\s+/g, ' ').trim();
  }
  const chars = [...value];
  if (chars.length > max) {
    value = chars.slice(0, max).join('').trimEnd();
    adjusted.push(`${label} truncated to ${max}`);
  }
  return { value, adjusted };
}

/** A sink for the adjustments of one record: `fit` returns the fitted value and keeps the notes. */
export function adjustments(): { fitTo(label: string, raw: string, max?: number): string; list: string[] } {
  const list: string[] = [];
  return {
    list,
    fitTo(label, raw, max) {
      const f = fitText(label, raw, max);
      list.push(...f.adjusted);
      return f.value;
    },
  };
}
