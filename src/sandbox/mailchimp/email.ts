import { ApiProblem } from './problems.js';

// Reserved TLDs that never deliver. (`.example` is reserved too, but seeded ERP data uses it as a
// stand-in for real domains, so only these unmistakable ones count as fake.)
const FAKE_TLDS = new Set(['invalid', 'test', 'localhost']);
const SYNTAX =
  /^[^\s@"(),:;<>[\\\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

/** Why an address would be refused, or undefined when Mailchimp would accept it. */
export function emailProblem(email: unknown): ApiProblem | undefined {
  if (typeof email !== 'string' || email.trim() === '') {
    return new ApiProblem(400, 'Invalid Resource', 'Please provide a valid email address.');
  }
  const address = email.trim();
  if (!SYNTAX.test(address) || address.length > 254) {
    return new ApiProblem(400, 'Invalid Resource', 'Please provide a valid email address.');
  }
  const [local = '', domain = ''] = address.toLowerCase().split('@');
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  const name = labels[labels.length - 2] ?? '';
  // "test@test.com", "asdf@asdf.com": a local part that repeats the domain name looks made up.
  if (FAKE_TLDS.has(tld) || local === name) {
    return new ApiProblem(
      400,
      'Invalid Resource',
      `${address} looks fake or invalid, please enter a real email address.`,
    );
  }
  return undefined;
}
