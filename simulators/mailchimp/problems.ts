/** Mailchimp answers every error with an RFC 7807 problem document; handlers throw this to produce one. */
export const PROBLEM_TYPE = 'https://mailchimp.com/developer/marketing/docs/errors/';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

export const notFound = (): ApiProblem =>
  new ApiProblem(404, 'Resource Not Found', 'The requested resource could not be found.');

export const invalidResource = (errors: FieldError[]): ApiProblem =>
  new ApiProblem(
    400,
    'Invalid Resource',
    "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
    errors,
  );

export const badRequest = (detail: string): ApiProblem => new ApiProblem(400, 'Bad Request', detail);

export const methodNotAllowed = (allow: string[]): ApiProblem =>
  new ApiProblem(
    405,
    'Method Not Allowed',
    "The requested method and resource are not compatible. See the Allow header for this resource's available methods.",
    undefined,
    { Allow: allow.join(', ') },
  );

export function problemBody(p: ApiProblem, requestId: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: PROBLEM_TYPE,
    title: p.title,
    status: p.status,
    detail: p.detail,
    instance: requestId,
  };
  if (p.errors) body.errors = p.errors;
  return body;
}
