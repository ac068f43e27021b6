const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'madam']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md']);
/** Lower-case particles that begin a family name: "Jan van der Berg" -> "van der Berg". */
const PARTICLES = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'di',
  'da',
  'du',
  'dos',
  'das',
  'la',
  'le',
  'bin',
  'ibn',
  'al',
]);

const bare = (token: string) => token.replace(/\.$/, '').toLowerCase();

export interface SplitName {
  first: string;
  last: string;
}

/**
 * Splits Sage's single ContactName into first and last name. Rules, in order: "Last, First" when
 * there is one comma; a leading honorific is dropped; a trailing Jr./Sr./III stays with the last
 * name; lower-case particles (van, de, al, ...) start the last name; otherwise the last word is the
 * last name and the rest the first name. A single word is a first name. Letters are kept as written
 * (any script), only whitespace is normalised.
 */
export function splitContactName(raw: string | null | undefined): SplitName {
  const name = (raw ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!name) return { first: '', last: '' };
  const comma = name.split(',');
  if (comma.length === 2 && comma[0]!.trim() && comma[1]!.trim()) {
    return { first: comma[1]!.trim(), last: comma[0]!.trim() };
  }
  let tokens = name.split(' ');
  if (tokens.length > 1 && HONORIFICS.has(bare(tokens[0]!))) tokens = tokens.slice(1);
  if (tokens.length === 1) return { first: tokens[0]!, last: '' };
  let suffix = '';
  if (tokens.length > 2 && SUFFIXES.has(bare(tokens[tokens.length - 1]!).replace(/,$/, ''))) {
    suffix = tokens[tokens.length - 1]!;
    tokens = tokens.slice(0, -1);
  }
  let lastStart = tokens.length - 1;
  while (lastStart > 1 && PARTICLES.has(tokens[lastStart - 1]!)) lastStart--;
  const first = tokens.slice(0, lastStart).join(' ');
  const last = [...tokens.slice(lastStart), ...(suffix ? [suffix] : [])].join(' ');
  return { first, last };
}
