import { ApiProblem } from './problems.js';

// Reserved TLDs (RFC 2606/6761) never deliver; Mailchimp refuses such addresses as fake. Seeded ERP data
// relies on this: its `.example` addresses are the simulator's stand-in for undeliverable ones.
const FAKE_TLDS = new Set(['invalid', 'test', 'example', 'localhost', 'local']);
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
