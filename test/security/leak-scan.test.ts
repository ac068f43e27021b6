import { describe, expect, it } from '@jest/globals';
import { scanForSecrets } from '../helpers/leak-scan.js';

describe('scanForSecrets', () => {
  it('finds a needle in plain text and inside base64 payload data at any alignment', () => {
    const needle = 'priya.n@maplehw.example';
    for (const prefix of ['', 'a', 'ab', '{"email":"']) {
      const b64 = Buffer.from(`${prefix}${needle}","x":1}`, 'utf8').toString('base64');
      expect(scanForSecrets(JSON.stringify({ data: b64 }), [needle, 'absent-value'])).toEqual([needle]);
    }
    expect(scanForSecrets(`note: ${needle.toUpperCase()}`, [needle])).toEqual([needle]);
    expect(scanForSecrets('nothing here', [needle])).toEqual([]);
  });
});
