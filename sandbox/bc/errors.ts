import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from '../kit/http-server';

export const BC_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true';

/**
 * A Business Central error: `{"error":{"code":"<Prefix>_<Detail>","message":"…  CorrelationId:  <uuid>."}}`.
 * Codes and messages follow the API's documented error-code table.
 */
export class BcError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'BcError';
  }

  toResponse(): EmulatorResponse {
    return bcErrorResponse(this.status, this.code, this.message, this.headers);
  }
}

export function bcErrorResponse(
  status: number,
  code: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): EmulatorResponse {
  return {
    status,
    headers: { 'Content-Type': BC_JSON, 'OData-Version': '4.0', ...headers },
    body: { error: { code, message: `${message}  CorrelationId:  ${randomUUID()}.` } },
  };
}

/** NAV formats GUIDs in identification fields as `{UPPER-CASE}`. */
export function navGuid(id: string): string {
  return `{${id.toUpperCase()}}`;
}

export const bcErrors = {
  recordNotFound: (caption: string, identification: string): BcError =>
    new BcError(
      404,
      'Internal_RecordNotFound',
      `The ${caption} does not exist. Identification fields and values: ${identification}`,
    ),
  relatedRecordNotFound: (caption: string, identification: string): BcError =>
    new BcError(
      400,
      'Internal_RecordNotFound',
      `The ${caption} does not exist. Identification fields and values: ${identification}`,
    ),
  duplicateKey: (caption: string, identification: string): BcError =>
    new BcError(
      400,
      'Internal_EntityWithSameKeyExists',
      `The ${caption} already exists. Identification fields and values: ${identification}`,
    ),
  missingConcurrencyToken: (): BcError =>
    new BcError(
      400,
      'BadRequest_InvalidToken',
      'Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.',
    ),
  entityChanged: (): BcError =>
    new BcError(409, 'Request_EntityChanged', 'Another user has already changed the record.'),
  stringTooLong: (value: string, maxLength: number): BcError =>
    new BcError(
      400,
      'Application_StringExceededLength',
      `The length of the string is ${value.length}, but it must be less than or equal to ${maxLength} characters. Value: ${value}`,
    ),
  resourceNotFound: (segment: string): BcError =>
    new BcError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: (method: string, segment: string): BcError =>
    new BcError(
      405,
      'BadRequest_MethodNotAllowed',
      `'${method}' requests for '${segment}' of EdmType 'Entity' are not allowed within Microsoft Dynamics 365 Business Central OData web services.`,
    ),
  querySyntax: (message: string): BcError => new BcError(400, 'BadRequest_NotFound', message),
  badRequest: (message: string): BcError => new BcError(400, 'BadRequest', message),
  dialog: (message: string): BcError => new BcError(400, 'Application_DialogException', message),
  fieldValidation: (message: string): BcError => new BcError(400, 'Application_FieldValidationException', message),
  notAnOption: (value: string, options: readonly string[]): BcError =>
    new BcError(400, 'Unknown', `'${value}' is not an option. The existing options are: ${options.join(',')}`),
};
