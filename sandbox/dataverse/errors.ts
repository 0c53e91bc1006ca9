import type { EmulatorResponse } from '../kit/http-server';

export const DV_JSON = 'application/json; odata.metadata=minimal';

/** A Dataverse Web API error: `{"error":{"code":"0x…","message":"…"}}`. */
export class DvError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DvError';
  }

  toResponse(): EmulatorResponse {
    return dvErrorResponse(this.status, this.code, this.message);
  }
}

export function dvErrorResponse(
  status: number,
  code: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): EmulatorResponse {
  return {
    status,
    headers: { 'Content-Type': DV_JSON, 'OData-Version': '4.0', ...headers },
    body: { error: { code, message } },
  };
}

/** Payload errors carry this link and the OData reader's inner message. */
function payloadError(entitySet: string, inner: string): DvError {
  return new DvError(
    400,
    '0x80048d19',
    `Error identified in Payload provided by the user for Entity :'${entitySet}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : ${inner}`,
  );
}

export const dvErrors = {
  notFoundById: (logicalName: string, id: string): DvError =>
    new DvError(404, '0x80040217', `${logicalName} With Id = ${id} Does Not Exist`),
  notFoundByKey: (logicalName: string): DvError =>
    new DvError(404, '0x80040217', `A record with the specified key values does not exist in ${logicalName} entity`),
  versionMismatch: (): DvError =>
    new DvError(
      412,
      '0x80060882',
      "The version of the existing record doesn't match the RowVersion property provided.",
    ),
  matchingKeyExists: (): DvError => new DvError(412, '0x80040237', 'A record with matching key values already exists.'),
  duplicateKey: (values: string, keyName: string): DvError =>
    new DvError(
      412,
      '0x80060892',
      `A record that has the attribute values ${values} already exists. The entity key ${keyName} requires that this set of attributes contains unique values.`,
    ),
  querySyntax: (): DvError => new DvError(400, '0x8006088a', 'Bad Request - Error in query syntax.'),
  query: (message: string): DvError => new DvError(400, '0x80060888', message),
  resourceNotFound: (segment: string): DvError =>
    new DvError(404, '0x8006088a', `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: (method: string): DvError =>
    new DvError(405, '0x80060888', `The requested resource does not support http method '${method}'.`),
  unknownProperty: (entitySet: string, logicalName: string, property: string): DvError =>
    payloadError(
      entitySet,
      `Microsoft.OData.ODataException: The property '${property}' does not exist on type 'Microsoft.Dynamics.CRM.${logicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    ),
  wrongType: (entitySet: string, property: string, edmType: string): DvError =>
    payloadError(
      entitySet,
      `Microsoft.OData.ODataException: Cannot convert the literal for property '${property}' to the expected type '${edmType}'.`,
    ),
  lookupValueWritten: (): DvError =>
    new DvError(
      400,
      '0x80048d19',
      'CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.',
    ),
  invalidBind: (entitySet: string, navigation: string): DvError =>
    payloadError(
      entitySet,
      `Microsoft.OData.ODataException: An undeclared property '${navigation}' which only has property annotations in the payload but no property value was found in the payload.`,
    ),
  validation: (message: string): DvError => new DvError(400, '0x80044331', `A validation error occurred.  ${message}`),
  invalidStatus: (message: string): DvError => new DvError(400, '0x80048408', message),
  badRequest: (message: string): DvError => new DvError(400, '', message),
};
