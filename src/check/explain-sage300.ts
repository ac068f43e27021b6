import { ConfigError } from '../config/index.js';
import {
  Sage300AuthError,
  Sage300Error,
  Sage300NotFoundError,
  Sage300QueryError,
  Sage300RetryableError,
} from '../sage300/errors.js';
import type { Explanation } from './types.js';

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|HOSTNAME/;
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

/**
 * What the server said: the Sage client's auth messages are "Sage 300 rejected ... (HTTP 401: <server text>).
 * Check ..."; the check prints its own advice, so only the first sentence is kept.
 */
function serverSaid(err: Error): string {
  const cut = err.message.indexOf('. Check ');
  return cut > 0 ? `${err.message.slice(0, cut)}.` : err.message;
}

/** Turns a failed Sage 300 read into what the user should check. */
export function explainSage300Error(err: unknown, opts: { username?: string } = {}): Explanation {
  if (err instanceof ConfigError) {
    return {
      detail: err.problems.join('; '),
      hint: 'Set the missing Sage 300 settings (see `ml-connector config --docs`).',
    };
  }
  if (!(err instanceof Sage300Error)) {
    return { detail: (err as Error)?.message ?? String(err) };
  }
  const detail = err.message;
  if (err instanceof Sage300AuthError && err.status === 401) {
    return {
      detail: serverSaid(err),
      hint:
        'Check SAGE300_USERNAME (user IDs are upper-case; the connector sends it upper-case) and SAGE300_PASSWORD; ' +
        'set SAGE300_PRESERVE_PASSWORD_CASE=true only if the site uses case-sensitive complex passwords (Sage 300 2022.2+); ' +
        'give the user\'s security group the "Sage 300 Web API" right; the ADMIN user is blocked from the Web API by default, use a dedicated user.',
    };
  }
  if (err instanceof Sage300AuthError) {
    return {
      detail: serverSaid(err),
      hint:
        opts.username?.toUpperCase() === 'ADMIN'
          ? 'ADMIN is blocked from the Sage 300 Web API by default: create a dedicated user with the "Sage 300 Web API" right and set SAGE300_USERNAME to it.'
          : 'The login works but lacks rights: give the user\'s security group the "Sage 300 Web API" right and access ' +
            'to the AR, OE and IC modules of SAGE300_COMPANY (Administrative Services > Security Groups / User Authorizations).',
    };
  }
  if (err instanceof Sage300NotFoundError) {
    return {
      detail,
      hint: 'Check SAGE300_BASE_URL (it ends in /Sage300WebApi) and SAGE300_COMPANY (the company database ID, e.g. SAMINC).',
    };
  }
  if (err instanceof Sage300QueryError) {
    return {
      detail,
      hint: 'This Web API version refused a query the connector needs; note the Sage 300 version and report it.',
    };
  }
  if (err.code && TLS_CODE.test(err.code)) {
    return {
      detail,
      hint: "Set SAGE300_CA_FILE to the PEM file of the CA that signed IIS's certificate, or fix the host name in SAGE300_BASE_URL.",
    };
  }
  if (err.code === 'ETIMEDOUT') {
    return {
      detail,
      hint: 'Sage 300 did not answer within SAGE300_TIMEOUT_MS. IIS may be starting up (first call after idle): try again, or raise SAGE300_TIMEOUT_MS.',
    };
  }
  if (err.code && UNREACHABLE.has(err.code)) {
    return {
      detail,
      hint: 'Cannot reach SAGE300_BASE_URL: check the host name and port, that IIS and the Sage 300 Web API site are running, and firewalls between here and there.',
    };
  }
  if (err instanceof Sage300RetryableError) {
    return {
      detail,
      hint: 'Sage 300 is busy or failing: try again shortly; if it persists, check the IIS application pool and the Web API logs.',
    };
  }
  return { detail };
}
