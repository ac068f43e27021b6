import { DefaultFailureConverter } from '@temporalio/common';

// Loaded by path (DataConverter.failureConverterPath): `require`d by the client and worker, and
// bundled by webpack into the workflow sandbox, so it must stay free of Node-only imports.
// encodeCommonAttributes moves error messages and stack traces into an encoded payload, which the
// payload codec then encrypts; otherwise they would sit in the history in plain text.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
