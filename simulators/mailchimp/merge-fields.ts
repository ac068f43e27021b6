import type { Audience, MergeFieldRecord } from './audience.js';
import { ApiProblem, type FieldError } from './problems.js';
import type { Json } from './validate.js';

const ADDRESS_PARTS = ['addr1', 'city', 'state', 'zip'] as const;
/** A text audience field holds 255 characters; Mailchimp refuses a longer value (it does not cut it). */
export const TEXT_FIELD_MAX = 255;

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function valueError(f: MergeFieldRecord, v: unknown): string | undefined {
  if (isEmpty(v)) return undefined;
  switch (f.type) {
    case 'address': {
      if (typeof v !== 'object' || Array.isArray(v)) return 'Please enter a complete address';
      const a = v as Json;
      const complete = ADDRESS_PARTS.every((p) => typeof a[p] === 'string' && (a[p] as string).trim() !== '');
      return complete ? undefined : 'Please enter a complete address';
    }
    case 'number':
      return Number.isFinite(Number(v)) && typeof v !== 'object' ? undefined : 'Please enter a number';
    case 'text':
      if (typeof v === 'string' && [...v].length > TEXT_FIELD_MAX)
        return `Please enter ${TEXT_FIELD_MAX} characters or fewer`;
      return typeof v === 'string' || typeof v === 'number' ? undefined : 'Please enter a value';
    default:
      return typeof v === 'string' || typeof v === 'number' ? undefined : 'Please enter a value';
  }
}

/**
 * The member's merge values after applying `provided` on top of `current`. Unknown tags are dropped;
 * ill-typed values always fail; required fields fail unless skip_merge_validation was set.
 */
export function mergeValues(
  aud: Audience,
  current: Json | undefined,
  provided: unknown,
  skipRequired: boolean,
): Json {
  const errors: FieldError[] = [];
  const result: Json = { ...(current ?? {}) };
  if (provided !== undefined && provided !== null) {
    if (typeof provided !== 'object' || Array.isArray(provided)) {
      throw new ApiProblem(400, 'Invalid Resource', 'Your merge fields were invalid.', [
        { field: 'merge_fields', message: 'Schema describes object, invalid type found instead' },
      ]);
    }
    for (const [tag, value] of Object.entries(provided as Json)) {
      const field = aud.mergeField(tag.toUpperCase());
      if (!field) continue;
      const err = valueError(field, value);
      if (err) errors.push({ field: field.tag, message: err });
      else result[field.tag] = value === null ? '' : value;
    }
  }
  if (!skipRequired) {
    for (const f of aud.mergeFields) {
      if (f.required && isEmpty(result[f.tag]) && !errors.some((e) => e.field === f.tag)) {
        errors.push({ field: f.tag, message: 'Please enter a value' });
      }
    }
  }
  if (errors.length) throw new ApiProblem(400, 'Invalid Resource', 'Your merge fields were invalid.', errors);
  return result;
}
