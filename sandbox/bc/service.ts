import { randomUUID } from 'node:crypto';
import type { ApiProfile } from '../kit/emulator-host';
import { matchesAnyTag, parsePreconditionHeader } from '../kit/etag';
import { checkFieldValue, EDM_TYPES, fieldByName, normalizeFieldValue, type FieldSpec } from '../kit/fields';
import type { EmulatorRequest, EmulatorResponse } from '../kit/http-server';
import {
  hasOrAcrossDistinctProperties,
  ODataQueryError,
  parseFilter,
  referencedProperties,
  requiredTextEquality,
} from '../kit/odata/filter';
import { describeKey, parseResourcePath, type PathSegment } from '../kit/odata/path';
import {
  filterAndSort,
  parsePrefer,
  parseQueryOptions,
  preferredPageSize,
  selectProperties,
  type QueryOptions,
} from '../kit/odata/query';
import { decodePagePosition, encodePagePosition, nextLinkFor, takePage } from '../kit/paging';
import type { RateLimits, Rejection } from '../kit/rate-limiter';
import type { DataStore, Row } from '../kit/store';
import { executeJsonBatch } from './batch';
import { CompanyData, type ApiRecord } from './company-data';
import { BC_JSON, BcError, bcErrorResponse, bcErrors, navGuid } from './errors';
import {
  blankRow,
  blankValue,
  COMPANIES_TABLE,
  COMPANY_FIELDS,
  ENTITY_SETS,
  type EntitySetSpec,
  type NavigationSpec,
} from './model';
import { checkPaymentTerms, completeLine, completeOrder, shipAndInvoice, syncCurrency } from './sales';

export interface BcServiceSettings {
  readonly limits: RateLimits;
  /** Largest page the server returns (documented: 20,000 entities). */
  readonly maxPageSize: number;
  /** Largest JSON $batch (documented: 100 operations). */
  readonly maxBatchOperations: number;
  /** Business Central documents no Retry-After on 429; set this to send one anyway. */
  readonly retryAfterOn429Seconds: number | undefined;
}

/** `/v2.0/{tenant}/{environment}/api/v2.0/…`; the tenant segment is optional as in the documented URL. */
const API_PATH = /^(\/v2\.0\/(?:[^/]+\/)?[^/]+\/api\/v2\.0)(\/.*)?$/;

const ODATA_HEADERS = { 'Content-Type': BC_JSON, 'OData-Version': '4.0' };

interface Target {
  readonly company: CompanyData;
  readonly spec: EntitySetSpec;
  /** Set when the path addresses children of one parent record (salesOrders(…)/salesOrderLines). */
  readonly parent?: { readonly field: string; readonly row: Row };
}

interface RequestScope {
  readonly request: EmulatorRequest;
  /** Absolute URL of the API root, e.g. http://127.0.0.1:8181/v2.0/sandbox/production/api/v2.0 */
  readonly apiRoot: string;
  /** Resource path after the API root, for @odata.context. */
  readonly resourcePath: string;
}

export function createBcProfile(store: DataStore, settings: BcServiceSettings): ApiProfile {
  const handleApiRequest = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    try {
      const match = API_PATH.exec(request.rawPath);
      if (match?.[1] === undefined) throw bcErrors.resourceNotFound(request.rawPath);
      const rest = match[2] ?? '';
      const scope: RequestScope = {
        request,
        apiRoot: `${request.origin}${match[1]}`,
        resourcePath: safeDecode(rest.replace(/^\//, '')),
      };
      const segments = parseResourcePath(rest);
      if (segments.length === 1 && segments[0]?.name === '$batch' && request.method === 'POST') {
        return await executeJsonBatch(
          scope.request,
          scope.apiRoot,
          store,
          settings.maxBatchOperations,
          handleApiRequest,
        );
      }
      return route(store, scope, segments, settings);
    } catch (error) {
      return toErrorResponse(error);
    }
  };

  return {
    isApiPath: (rawPath) => API_PATH.test(rawPath),
    handle: handleApiRequest,
    unauthorized: () =>
      bcErrorResponse(401, 'Authentication_InvalidCredentials', 'The server has rejected the client credentials.', {
        'WWW-Authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
      }),
    throttled: (rejection) => throttled(rejection, settings),
    injectedFailure,
    notFound: (request) => toErrorResponse(bcErrors.resourceNotFound(request.rawPath)),
    describeState: () => describeState(store),
  };
}

function route(
  store: DataStore,
  scope: RequestScope,
  segments: PathSegment[],
  settings: BcServiceSettings,
): EmulatorResponse {
  const [first, ...rest] = segments;
  if (first === undefined) throw bcErrors.resourceNotFound('');
  if (first.name === 'companies') {
    if (first.key === undefined) {
      if (rest.length > 0) throw bcErrors.resourceNotFound(rest[0]?.name ?? '');
      requireMethod(scope.request, ['GET'], 'companies');
      const companies = store.list(COMPANIES_TABLE).map((record) => record.row);
      return collectionResponse(scope, companies, COMPANY_FIELDS, settings, (row, options) =>
        selectProperties(row, options.select, []),
      );
    }
    const companyId = guidKey(first);
    const company = store.get(COMPANIES_TABLE, companyId);
    if (company === undefined) throw bcErrors.recordNotFound('Company', `Id='${navGuid(companyId)}'`);
    if (rest.length === 0) {
      requireMethod(scope.request, ['GET'], 'companies');
      const options = parseValidatedOptions(scope.request.query, undefined, COMPANY_FIELDS);
      return entityResponse(scope, selectProperties(company.row, options.select, []), 200);
    }
    return entityRoute(new CompanyData(store, companyId), scope, rest, settings);
  }
  return entityRoute(companyFromQueryOrHeader(store, scope.request), scope, segments, settings);
}

/** `?company=<id or name>` or a `Company: <name>` header select the company when the path does not. */
function companyFromQueryOrHeader(store: DataStore, request: EmulatorRequest): CompanyData {
  const wanted = request.query.get('company') ?? request.headers.company;
  const company = store
    .list(COMPANIES_TABLE)
    .find((record) => wanted !== undefined && (record.row.id === wanted.toLowerCase() || record.row.name === wanted));
  if (company === undefined) {
    throw new BcError(
      400,
      'Internal_CompanyNotFound',
      'Cannot process the request because the default company cannot be found. You can specify a default company in the service configuration file, or specify one for each tenant, or you can add a query string in the form of "company=[name]". You can see the available companies by accessing the default OData web service, Company. For more information, see "OData Web Services" in Help',
    );
  }
  return new CompanyData(store, String(company.row.id));
}

function entityRoute(
  company: CompanyData,
  scope: RequestScope,
  segments: PathSegment[],
  settings: BcServiceSettings,
): EmulatorResponse {
  const [setSegment, navigationSegment, ...rest] = segments;
  if (setSegment === undefined) throw bcErrors.resourceNotFound('');
  const spec = ENTITY_SETS[setSegment.name];
  if (spec === undefined || rest.length > 0)
    throw bcErrors.resourceNotFound(spec === undefined ? setSegment.name : (rest[0]?.name ?? ''));
  if (setSegment.key === undefined) {
    if (navigationSegment !== undefined) throw bcErrors.resourceNotFound(navigationSegment.name);
    return collectionOrCreate(scope, { company, spec }, settings);
  }
  const id = guidKey(setSegment);
  if (navigationSegment === undefined) return singleEntity(scope, { company, spec }, id);

  const parent = company.get(spec.name, id);
  if (parent === undefined) throw bcErrors.recordNotFound(spec.caption, `Id='${navGuid(id)}'`);
  if (spec.name === 'salesOrders' && navigationSegment.name === 'Microsoft.NAV.shipAndInvoice') {
    requireMethod(scope.request, ['POST'], navigationSegment.name);
    atomically(company, () => shipAndInvoice(company, parent));
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }
  const navigation = spec.navigation[navigationSegment.name];
  if (navigation === undefined) throw bcErrors.resourceNotFound(navigationSegment.name);
  const targetSpec = ENTITY_SETS[navigation.target];
  if (targetSpec === undefined) throw bcErrors.resourceNotFound(navigationSegment.name);
  if (navigation.kind === 'children') {
    const target: Target = { company, spec: targetSpec, parent: { field: navigation.parentField, row: parent } };
    if (navigationSegment.key === undefined) return collectionOrCreate(scope, target, settings);
    return singleEntity(scope, target, guidKey(navigationSegment));
  }
  requireMethod(scope.request, ['GET'], navigationSegment.name);
  const related = relatedRecord(company, navigation, parent);
  const relatedId = navigation.kind === 'reference' ? String(parent[navigation.idField]) : id;
  if (related === undefined) throw bcErrors.recordNotFound(targetSpec.caption, `Id='${navGuid(relatedId)}'`);
  const options = parseValidatedOptions(scope.request.query, targetSpec);
  return entityResponse(scope, shape(company, targetSpec, related, options), 200);
}

/** Runs a change all-or-nothing: a failure part-way (e.g. in a deep insert) leaves no trace. */
function atomically<T>(company: CompanyData, change: () => T): T {
  return company.store.transaction(change);
}

// ---------------------------------------------------------------- collections

function collectionOrCreate(scope: RequestScope, target: Target, settings: BcServiceSettings): EmulatorResponse {
  const { request } = scope;
  if (request.method === 'POST') {
    rejectWhenReadOnly(target.spec, 'POST');
    const created = atomically(target.company, () => createRecord(target, parseJsonObject(request.body)));
    const options = parseValidatedOptions(request.query, target.spec);
    const body = shape(target.company, target.spec, created, options);
    return entityResponse(scope, body, 201, {
      Location: `${scope.apiRoot}/companies(${target.company.companyId})/${target.spec.name}(${created.id})`,
    });
  }
  requireMethod(request, ['GET'], target.spec.name);
  const parent = target.parent;
  const rows = candidates(target, request.query).filter(
    (row) => parent === undefined || row[parent.field] === parent.row.id,
  );
  return collectionResponse(
    scope,
    rows,
    target.spec.fields,
    settings,
    (row, options) => shape(target.company, target.spec, row, options),
    target.spec,
  );
}

/** The records a query may match: through the index when its $filter requires `field eq 'text'`, else all. */
function candidates({ company, spec }: Target, query: URLSearchParams): ApiRecord[] {
  const filter = query.get('$filter');
  const stored = (name: string): boolean => {
    const field = fieldByName(spec.fields, name);
    return field?.type === 'string' && field.readOnly !== true;
  };
  const condition = filter === null || spec.readOnly ? undefined : requiredTextEquality(parseFilter(filter), stored);
  return condition === undefined
    ? company.list(spec.name)
    : company.listWhere(spec.name, condition.property, condition.value);
}

function collectionResponse(
  scope: RequestScope,
  rows: readonly Row[],
  fields: readonly FieldSpec[],
  settings: BcServiceSettings,
  shapeRow: (row: Row, options: QueryOptions) => Row,
  spec?: EntitySetSpec,
): EmulatorResponse {
  const { request } = scope;
  const options = parseValidatedOptions(request.query, spec, fields);
  const defaultOrder =
    options.orderBy.length > 0
      ? options
      : { ...options, orderBy: [{ property: spec?.orderBy ?? 'name', descending: false }] };
  let matching = filterAndSort(rows, defaultOrder, 'id');
  const total = matching.length;
  if (options.skip !== undefined) matching = matching.slice(options.skip);
  if (options.top !== undefined) matching = matching.slice(0, options.top);
  const preferences = parsePrefer(request.headers.prefer);
  const requestedPageSize = preferredPageSize(preferences, settings.maxPageSize);
  const page = takePage(
    matching,
    requestedPageSize ?? settings.maxPageSize,
    (row) => String(row.id),
    options.skipToken === undefined ? undefined : decodePagePosition(options.skipToken),
  );
  const selectSuffix = options.select === undefined ? '' : `(${options.select.join(',')})`;
  const body: Record<string, unknown> = {
    '@odata.context': `${scope.apiRoot}/$metadata#${scope.resourcePath}${selectSuffix}`,
  };
  if (options.count) body['@odata.count'] = total;
  body.value = page.rows.map((row) => shapeRow(row, options));
  if (page.next !== undefined) {
    body['@odata.nextLink'] = nextLinkFor(
      request.origin,
      request.rawPath,
      request.query,
      encodePagePosition(page.next),
    );
  }
  const headers: Record<string, string> = { ...ODATA_HEADERS };
  if (requestedPageSize !== undefined) headers['Preference-Applied'] = `odata.maxpagesize=${requestedPageSize}`;
  return { status: 200, headers, body };
}

// ---------------------------------------------------------------- single records

function singleEntity(scope: RequestScope, target: Target, id: string): EmulatorResponse {
  const { request } = scope;
  const { company, spec, parent } = target;
  const existing = company.get(spec.name, id);
  if (existing === undefined || (parent !== undefined && existing[parent.field] !== parent.row.id)) {
    throw bcErrors.recordNotFound(spec.caption, `Id='${navGuid(id)}'`);
  }
  if (request.method === 'GET') {
    return entityResponse(scope, shape(company, spec, existing, parseValidatedOptions(request.query, spec)), 200);
  }
  if (request.method !== 'PATCH' && request.method !== 'DELETE')
    throw bcErrors.methodNotAllowed(request.method, spec.name);
  rejectWhenReadOnly(spec, request.method);
  checkIfMatch(request, String(existing['@odata.etag']));
  if (request.method === 'DELETE') {
    atomically(company, () => deleteRecord(company, spec, existing));
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }
  const updated = atomically(company, () => updateRecord(target, existing, parseJsonObject(request.body)));
  return entityResponse(scope, shape(company, spec, updated, parseValidatedOptions(request.query, spec)), 200);
}

/** PATCH and DELETE need If-Match: a current ETag or `*`. */
function checkIfMatch(request: EmulatorRequest, currentETag: string): void {
  const ifMatch = parsePreconditionHeader(request.headers['if-match']);
  if (ifMatch.kind === 'absent') throw bcErrors.missingConcurrencyToken();
  if (!matchesAnyTag(ifMatch, currentETag)) throw bcErrors.entityChanged();
}

function entityResponse(
  scope: RequestScope,
  body: Row,
  status: number,
  extraHeaders: Record<string, string> = {},
): EmulatorResponse {
  const selectSuffix = scope.request.query.has('$select') ? `(${scope.request.query.get('$select') ?? ''})` : '';
  const contextPath = scope.resourcePath.replace(/\([^()]*\)$/, '');
  const headers: Record<string, string> = { ...ODATA_HEADERS, ...extraHeaders };
  if (typeof body['@odata.etag'] === 'string') headers.ETag = body['@odata.etag'];
  return {
    status,
    headers,
    body: { '@odata.context': `${scope.apiRoot}/$metadata#${contextPath}${selectSuffix}/$entity`, ...body },
  };
}

// ---------------------------------------------------------------- writes

function createRecord(target: Target, body: Row): ApiRecord {
  const { company, spec, parent } = target;
  const row = blankRow(spec);
  const written = applyBody(spec, row, body, true);
  const children = spec.deepInsert === undefined ? undefined : body[spec.deepInsert];
  if (written.has('id')) {
    if (company.find(spec.name, String(row.id)) !== undefined)
      throw bcErrors.duplicateKey(spec.caption, `Id='${navGuid(String(row.id))}'`);
  } else {
    row.id = randomUUID();
  }
  if (spec.numberSeries !== undefined && row.number === '')
    row.number = company.nextNumber(spec.name, spec.numberSeries);
  completeRecord(company, spec, row, written, true, parent?.row);
  checkUniqueNumber(company, spec, row);
  company.put(spec.name, row as Row & { id: string });
  if (children !== undefined && spec.deepInsert !== undefined) {
    const childSpec = ENTITY_SETS[spec.deepInsert];
    if (childSpec === undefined || !Array.isArray(children)) throw bcErrors.badRequest('Invalid Request Body');
    const childTarget: Target = { company, spec: childSpec, parent: { field: 'documentId', row } };
    for (const child of children) createRecord(childTarget, asObject(child));
  }
  return company.get(spec.name, String(row.id)) as ApiRecord;
}

function updateRecord(target: Target, existing: ApiRecord, body: Row): ApiRecord {
  const { company, spec } = target;
  const row: Row = { ...company.find(spec.name, existing.id)?.row };
  const written = applyBody(spec, row, body, false);
  const parentRow =
    spec.name === 'salesOrderLines' ? company.find('salesOrders', String(row.documentId))?.row : undefined;
  completeRecord(company, spec, row, written, false, parentRow);
  if (written.has('number')) checkUniqueNumber(company, spec, row);
  company.put(spec.name, row as Row & { id: string });
  return company.get(spec.name, existing.id) as ApiRecord;
}

function completeRecord(
  company: CompanyData,
  spec: EntitySetSpec,
  row: Row,
  written: ReadonlySet<string>,
  isNew: boolean,
  parent: Row | undefined,
): void {
  if (spec.name === 'customers') {
    syncCurrency(company, row, written);
    checkPaymentTerms(company, row);
  }
  if (spec.name === 'salesOrders') completeOrder(company, row, written, isNew);
  if (spec.name === 'salesOrderLines') {
    if (parent === undefined) throw bcErrors.dialog('A sales order line must be created through its sales order.');
    completeLine(company, parent, row, written, isNew);
  }
}

function deleteRecord(company: CompanyData, spec: EntitySetSpec, existing: ApiRecord): void {
  if (spec.name === 'customers') {
    if (company.rows('salesOrders').some((order) => order.customerId === existing.id)) {
      throw bcErrors.dialog(
        `You cannot delete Customer ${String(existing.number)} because there is at least one outstanding Sales Order for this customer.`,
      );
    }
    if (
      company
        .rows('salesInvoices')
        .some((invoice) => invoice.customerId === existing.id && Number(invoice.remainingAmount) > 0)
    ) {
      throw bcErrors.dialog(
        `You cannot delete Customer ${String(existing.number)} because there are one or more open ledger entries for this customer.`,
      );
    }
  }
  if (spec.name === 'items' && company.rows('salesOrderLines').some((line) => line.itemId === existing.id)) {
    throw bcErrors.dialog(
      `You cannot delete Item ${String(existing.number)} because there is at least one outstanding Sales Order that includes this item.`,
    );
  }
  if (spec.name === 'salesOrders') {
    for (const line of company.rows('salesOrderLines').filter((candidate) => candidate.documentId === existing.id)) {
      company.remove('salesOrderLines', String(line.id));
    }
  }
  company.remove(spec.name, existing.id);
}

function checkUniqueNumber(company: CompanyData, spec: EntitySetSpec, row: Row): void {
  if (fieldByName(spec.fields, 'number') === undefined) return;
  const clash = company
    .listWhere(spec.name, 'number', row.number)
    .find((other) => other.number === row.number && other.id !== row.id);
  if (clash !== undefined) throw bcErrors.duplicateKey(spec.caption, `No.='${String(row.number)}'`);
}

/** Copies the request body onto `row`, checking each property; returns the names written. */
function applyBody(spec: EntitySetSpec, row: Row, body: Row, isNew: boolean): Set<string> {
  const written = new Set<string>();
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@')) continue;
    if (name === spec.deepInsert && isNew) continue;
    if (name in spec.navigation || name === spec.deepInsert) {
      throw bcErrors.badRequest(
        `The navigation property '${name}' cannot be updated: deep update is not supported. Update the related entities with separate requests.`,
      );
    }
    const field = fieldByName(spec.fields, name);
    if (field === undefined) {
      throw bcErrors.badRequest(
        `The property '${name}' does not exist on type 'Microsoft.NAV.${spec.entityType}'. Make sure to only use property names that are defined by the type.`,
      );
    }
    if (name === 'id' && !isNew) {
      if (typeof value === 'string' && value.toLowerCase() === row.id) continue;
      throw new BcError(400, 'BadRequest_InvalidOperation', "Control 'id' is read-only");
    }
    if (field.readOnly === true)
      throw new BcError(400, 'BadRequest_InvalidOperation', `Control '${name}' is read-only`);
    const candidate = value === null ? blankValue(field) : value;
    const problem = checkFieldValue(field, candidate);
    if (problem?.kind === 'type') {
      throw bcErrors.badRequest(
        `Cannot convert a primitive value to the expected type '${EDM_TYPES[field.type]}'. See the inner exception for more details.`,
      );
    }
    if (problem?.kind === 'length') throw bcErrors.stringTooLong(problem.value, field.maxLength ?? 0);
    if (problem?.kind === 'option')
      throw bcErrors.notAnOption(String(problem.value), (field.options ?? []).map(String));
    row[name] = normalizeFieldValue(field, candidate);
    written.add(name);
  }
  return written;
}

// ---------------------------------------------------------------- query options and shaping

/**
 * Parses $filter/$select/$orderby/$expand and checks every property against the entity type, including
 * Business Central's documented restriction that `or` may only combine conditions on the same field.
 */
function parseValidatedOptions(
  query: URLSearchParams,
  spec: EntitySetSpec | undefined,
  fields = spec?.fields ?? [],
): QueryOptions {
  const options = parseQueryOptions(query);
  validateOptions(options, spec, fields);
  return options;
}

function validateOptions(options: QueryOptions, spec: EntitySetSpec | undefined, fields: readonly FieldSpec[]): void {
  const typeName = `Microsoft.NAV.${spec?.entityType ?? 'company'}`;
  const known = (name: string): boolean => fields.some((field) => field.name === name);
  const properties = [
    ...(options.filter === undefined ? [] : referencedProperties(options.filter)),
    ...(options.select ?? []).filter((name) => name !== '*'),
    ...options.orderBy.map((item) => item.property),
  ];
  for (const property of properties) {
    if (!known(property))
      throw new ODataQueryError(
        'unknownProperty',
        `Could not find a property named '${property}' on type '${typeName}'.`,
      );
  }
  if (options.filter !== undefined && hasOrAcrossDistinctProperties(options.filter)) {
    throw bcErrors.badRequest(
      "An error occurred while processing this request. The 'OR' operator is not supported on distinct fields on an OData filter.",
    );
  }
  for (const expand of options.expand) {
    const navigation = spec?.navigation[expand.navigation];
    const targetSpec = navigation === undefined ? undefined : ENTITY_SETS[navigation.target];
    if (targetSpec === undefined) {
      throw new ODataQueryError(
        'unknownProperty',
        `Could not find a property named '${expand.navigation}' on type '${typeName}'.`,
      );
    }
    validateOptions(expand.options, targetSpec, targetSpec.fields);
  }
}

/** Applies $select and $expand to one record. */
function shape(company: CompanyData, spec: EntitySetSpec, row: Row, options: QueryOptions): Row {
  const shaped = selectProperties(row, options.select, []);
  for (const expand of options.expand) {
    const navigation = spec.navigation[expand.navigation];
    const targetSpec = navigation === undefined ? undefined : ENTITY_SETS[navigation.target];
    if (navigation === undefined || targetSpec === undefined) continue;
    if (navigation.kind === 'children') {
      const children = company.list(targetSpec.name).filter((child) => child[navigation.parentField] === row.id);
      const ordered = filterAndSort(
        children,
        {
          ...expand.options,
          orderBy:
            expand.options.orderBy.length > 0
              ? expand.options.orderBy
              : [{ property: targetSpec.orderBy, descending: false }],
        },
        'id',
      );
      const limited = expand.options.top === undefined ? ordered : ordered.slice(0, expand.options.top);
      shaped[expand.navigation] = limited.map((child) => shape(company, targetSpec, child, expand.options));
    } else {
      const related = relatedRecord(company, navigation, row);
      shaped[expand.navigation] = related === undefined ? null : shape(company, targetSpec, related, expand.options);
    }
  }
  return shaped;
}

function relatedRecord(company: CompanyData, navigation: NavigationSpec, row: Row): ApiRecord | undefined {
  if (navigation.kind === 'sameId') return company.get(navigation.target, String(row.id));
  if (navigation.kind === 'reference') return company.get(navigation.target, String(row[navigation.idField]));
  return undefined;
}

// ---------------------------------------------------------------- helpers

function guidKey(segment: PathSegment): string {
  const key = segment.key;
  if (key?.kind !== 'single' || key.literal.type !== 'guid') {
    throw bcErrors.querySyntax(
      `Bad Request - Error in query syntax. '${segment.name}(${key === undefined ? '' : describeKey(key)})'`,
    );
  }
  return String(key.literal.value);
}

function requireMethod(request: EmulatorRequest, allowed: readonly string[], segment: string): void {
  if (!allowed.includes(request.method)) throw bcErrors.methodNotAllowed(request.method, segment);
}

function rejectWhenReadOnly(spec: EntitySetSpec, method: string): void {
  if (spec.readOnly) throw bcErrors.methodNotAllowed(method, spec.name);
}

function parseJsonObject(body: Buffer): Row {
  try {
    return asObject(JSON.parse(body.toString('utf8')));
  } catch {
    throw bcErrors.badRequest('Invalid Request Body');
  }
}

function asObject(value: unknown): Row {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bcErrors.badRequest('Invalid Request Body');
  return value as Row;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function toErrorResponse(error: unknown): EmulatorResponse {
  if (error instanceof BcError) return error.toResponse();
  if (error instanceof ODataQueryError) return bcErrorResponse(400, 'BadRequest_NotFound', error.message);
  return bcErrorResponse(500, 'Internal_ServerError', `Unexpected emulator failure: ${String(error)}`);
}

function throttled(rejection: Rejection, settings: BcServiceSettings): EmulatorResponse {
  const { limits } = settings;
  if (rejection.reason === 'queue-timeout') return injectedFailure(503, Math.ceil(rejection.retryAfterMs / 1000));
  const maximum = rejection.reason === 'queue-full' ? limits.maxConcurrent + limits.maxQueued : rejection.limit;
  const headers: Record<string, string> = {};
  if (settings.retryAfterOn429Seconds !== undefined) headers['Retry-After'] = String(settings.retryAfterOn429Seconds);
  return bcErrorResponse(
    429,
    'Application_TooManyRequests',
    `Too many requests reached.  Actual (${maximum + 1}). Maximum (${maximum}).`,
    headers,
  );
}

/** 500 comes from the service in its error shape; 502/503/504 come from the gateway without a body. */
function injectedFailure(status: number, retryAfterSeconds: number | undefined): EmulatorResponse {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined || status === 502 || status === 503)
    headers['Retry-After'] = String(retryAfterSeconds ?? 1);
  if (status === 500)
    return bcErrorResponse(
      500,
      'Internal_ServerError',
      'Cannot establish a connection to the SQL Server/Database.',
      headers,
    );
  return { status, headers };
}

function describeState(store: DataStore): unknown {
  return {
    system: 'business-central',
    companies: store.list(COMPANIES_TABLE).map(({ row }) => {
      const company = new CompanyData(store, String(row.id));
      return {
        ...row,
        entities: Object.fromEntries(Object.keys(ENTITY_SETS).map((name) => [name, company.list(name)])),
      };
    }),
  };
}
