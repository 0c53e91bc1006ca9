import { randomUUID } from 'node:crypto';
import type { ApiProfile } from '../kit/emulator-host';
import { matchesAnyTag, parsePreconditionHeader } from '../kit/etag';
import { checkFieldValue, EDM_TYPES, normalizeFieldValue } from '../kit/fields';
import type { EmulatorRequest, EmulatorResponse } from '../kit/http-server';
import { ODataQueryError, referencedProperties, type KeyPredicate } from '../kit/odata/filter';
import { parseResourcePath, type PathSegment } from '../kit/odata/path';
import {
  filterAndSort,
  filterSorted,
  parsePrefer,
  parseQueryOptions,
  preferredPageSize,
  type QueryOptions,
} from '../kit/odata/query';
import { decodePagePosition, encodePagePosition, nextLinkFor, takePage, type PagePosition } from '../kit/paging';
import type { Admission, RateLimits, Rejection } from '../kit/rate-limiter';
import type { DataStore, Row, StoredRecord } from '../kit/store';
import { executeMultipartBatch } from './batch';
import { DataverseData } from './data';
import { DV_JSON, DvError, dvErrorResponse, dvErrors } from './errors';
import { lookupValueName, TABLES, type TableSpec } from './model';

export interface DataverseServiceSettings {
  readonly limits: RateLimits;
  /** Alternate keys per entity set: each key is a list of columns. */
  readonly alternateKeys: Readonly<Record<string, ReadonlyArray<readonly string[]>>>;
  /** Largest page (documented: 5,000 records, also the default). */
  readonly maxPageSize: number;
  /** Largest $batch (documented: 1,000 requests). */
  readonly maxBatchRequests: number;
  /** Characters that break alternate-key URLs (documented: / < > * % & : \ ? +). */
  readonly unsafeKeyCharacters: string;
}

const API_PATH = /^(\/api\/data\/v9\.\d)(\/.*)?$/;
const ODATA_HEADERS = { 'Content-Type': DV_JSON, 'OData-Version': '4.0' };

interface RequestScope {
  readonly request: EmulatorRequest;
  /** e.g. http://127.0.0.1:8182/api/data/v9.2 */
  readonly apiRoot: string;
  readonly preferences: ReadonlyMap<string, string>;
  /** `Prefer: odata.include-annotations` asks for formatted values and lookup annotations. */
  readonly annotations: boolean;
  readonly settings: DataverseServiceSettings;
}

/** How the URL names one record: by primary key or by the columns of an alternate key. */
type RecordReference =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'key'; readonly values: Readonly<Record<string, unknown>> };

export function createDataverseProfile(store: DataStore, settings: DataverseServiceSettings): ApiProfile {
  const data = new DataverseData(store, settings.alternateKeys);
  const handleApiRequest = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    try {
      const match = API_PATH.exec(request.rawPath);
      if (match?.[1] === undefined) throw dvErrors.resourceNotFound(request.rawPath);
      const preferences = parsePrefer(request.headers.prefer);
      const scope: RequestScope = {
        request,
        apiRoot: `${request.origin}${match[1]}`,
        preferences,
        annotations: preferences.has('odata.include-annotations'),
        settings,
      };
      const segments = parseResourcePath(match[2] ?? '');
      if (segments.length === 1 && segments[0]?.name === '$batch' && request.method === 'POST') {
        return await executeMultipartBatch(request, scope.apiRoot, store, settings.maxBatchRequests, handleApiRequest);
      }
      return route(data, scope, segments);
    } catch (error) {
      return toErrorResponse(error);
    }
  };

  return {
    isApiPath: (rawPath) => API_PATH.test(rawPath),
    handle: handleApiRequest,
    unauthorized: () => ({
      status: 401,
      headers: {
        'WWW-Authenticate': 'Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize',
      },
    }),
    throttled: (rejection) => throttled(rejection, settings.limits),
    injectedFailure,
    notFound: (request) => dvErrors.resourceNotFound(request.rawPath).toResponse(),
    withLimitHeaders: (response, admission) => withLimitHeaders(response, admission),
    insertRecords: (entitySet, records) => insertRecords(data, entitySet, records),
    describeState: () => ({
      system: 'dataverse',
      entities: Object.fromEntries(
        Object.values(TABLES).map((spec) => [
          spec.entitySet,
          data.records(spec).map((record) => data.represent(spec, record, false)),
        ]),
      ),
    }),
  };
}

function route(data: DataverseData, scope: RequestScope, segments: PathSegment[]): EmulatorResponse {
  const { request } = scope;
  const [first, navigation, ...rest] = segments;
  if (first === undefined) {
    if (request.method !== 'GET') throw dvErrors.methodNotAllowed(request.method);
    return serviceDocument(scope);
  }
  const spec = TABLES[first.name];
  if (spec === undefined) throw dvErrors.resourceNotFound(first.name);
  if (rest.length > 0) throw dvErrors.resourceNotFound(rest[0]?.name ?? '');
  if (first.key === undefined) {
    if (navigation !== undefined) throw dvErrors.resourceNotFound(navigation.name);
    if (request.method === 'GET') return queryCollection(data, scope, spec, data.records(spec));
    if (request.method === 'POST') return create(data, scope, spec);
    throw dvErrors.methodNotAllowed(request.method);
  }
  const reference = recordReference(data, spec, first.key, scope.settings.unsafeKeyCharacters);
  if (navigation !== undefined) return navigationProperty(data, scope, spec, reference, navigation);
  if (request.method === 'GET') return retrieve(data, scope, spec, reference);
  if (request.method === 'PATCH') return upsert(data, scope, spec, reference);
  if (request.method === 'DELETE') return remove(data, scope, spec, reference);
  throw dvErrors.methodNotAllowed(request.method);
}

function serviceDocument(scope: RequestScope): EmulatorResponse {
  return {
    status: 200,
    headers: ODATA_HEADERS,
    body: {
      '@odata.context': `${scope.apiRoot}/$metadata`,
      value: Object.keys(TABLES).map((name) => ({ name, kind: 'EntitySet', url: name })),
    },
  };
}

// ---------------------------------------------------------------- addressing records

/** Reads `(guid)`, `(accountnumber='A1')` or a multi-part key `(a='x',b='y')` and checks it against the table's keys. */
function recordReference(
  data: DataverseData,
  spec: TableSpec,
  key: KeyPredicate,
  unsafeKeyCharacters: string,
): RecordReference {
  if (key.kind === 'single') {
    if (key.literal.type !== 'guid') throw dvErrors.querySyntax();
    return { kind: 'id', id: String(key.literal.value) };
  }
  const names = Object.keys(key.parts);
  const primary = key.parts[spec.primaryKey];
  if (names.length === 1 && primary?.type === 'guid') return { kind: 'id', id: String(primary.value) };
  const matchingKey = data
    .keysOf(spec)
    .find(
      (candidate) =>
        candidate.columns.length === names.length && candidate.columns.every((column) => names.includes(column)),
    );
  if (matchingKey === undefined) throw dvErrors.querySyntax();
  const values: Record<string, unknown> = {};
  for (const [column, literal] of Object.entries(key.parts)) {
    const field = spec.columns.find((candidate) => candidate.name === column);
    const expected =
      field?.type === 'string' ? 'string' : field?.type === 'integer' || field?.type === 'decimal' ? 'number' : 'guid';
    if (literal.type !== expected) throw dvErrors.querySyntax();
    if (
      typeof literal.value === 'string' &&
      [...unsafeKeyCharacters].some((character) => String(literal.value).includes(character))
    ) {
      throw dvErrors.querySyntax();
    }
    values[column] = literal.value;
  }
  return { kind: 'key', values };
}

function findReferenced(data: DataverseData, spec: TableSpec, reference: RecordReference): StoredRecord | undefined {
  return reference.kind === 'id' ? data.find(spec, reference.id) : data.findByKey(spec, reference.values);
}

function notFound(spec: TableSpec, reference: RecordReference): DvError {
  return reference.kind === 'id'
    ? dvErrors.notFoundById(spec.logicalName, reference.id)
    : dvErrors.notFoundByKey(spec.logicalName);
}

// ---------------------------------------------------------------- reads

function retrieve(
  data: DataverseData,
  scope: RequestScope,
  spec: TableSpec,
  reference: RecordReference,
): EmulatorResponse {
  const record = findReferenced(data, spec, reference);
  if (record === undefined) throw notFound(spec, reference);
  const options = parseValidatedOptions(scope.request.query, spec);
  const representation = data.represent(spec, record, scope.annotations);
  // 304 only makes sense when the answer depends on this one row (no $expand, no annotations).
  const ifNoneMatch = parsePreconditionHeader(scope.request.headers['if-none-match']);
  if (ifNoneMatch.kind === 'tags' && options.expand.length === 0 && !scope.annotations) {
    if (matchesAnyTag(ifNoneMatch, String(representation['@odata.etag'])))
      return { status: 304, headers: { 'OData-Version': '4.0' } };
  }
  return entityResponse(scope, spec, shape(data, spec, record, options, scope.annotations), 200, options);
}

function queryCollection(
  data: DataverseData,
  scope: RequestScope,
  spec: TableSpec,
  records: readonly StoredRecord[],
): EmulatorResponse {
  const { request, preferences, settings } = scope;
  if (request.query.has('$skip')) throw dvErrors.query('The query parameter $skip is not supported');
  const options = parseValidatedOptions(request.query, spec);
  let matching = filterSorted(data.sortedRows(spec, records, options.orderBy), options);
  const total = matching.length;
  const requestedPageSize = preferredPageSize(preferences, settings.maxPageSize);
  // Documented: $top is ignored when odata.maxpagesize is requested.
  if (options.top !== undefined && requestedPageSize === undefined) matching = matching.slice(0, options.top);
  const position = options.skipToken === undefined ? undefined : parsePagingCookie(options.skipToken);
  const page = takePage(
    matching,
    requestedPageSize ?? settings.maxPageSize,
    (row) => String(row[spec.primaryKey]),
    position?.position,
  );
  const body: Record<string, unknown> = { '@odata.context': contextUrl(scope, spec, options, false) };
  if (options.count) body['@odata.count'] = total;
  body.value = page.rows.map((row) => shapeRow(data, spec, row, options, scope.annotations));
  if (page.next !== undefined) {
    const cookie = pagingCookie(page.next, (position?.pageNumber ?? 1) + 1);
    body['@odata.nextLink'] = nextLinkFor(request.origin, request.rawPath, request.query, cookie);
  }
  const headers: Record<string, string> = { ...ODATA_HEADERS };
  const applied = preferencesApplied(scope, requestedPageSize);
  if (applied !== undefined) headers['Preference-Applied'] = applied;
  return { status: 200, headers, body };
}

function navigationProperty(
  data: DataverseData,
  scope: RequestScope,
  spec: TableSpec,
  reference: RecordReference,
  navigation: PathSegment,
): EmulatorResponse {
  if (scope.request.method !== 'GET' || navigation.key !== undefined)
    throw dvErrors.methodNotAllowed(scope.request.method);
  const record = findReferenced(data, spec, reference);
  if (record === undefined) throw notFound(spec, reference);
  const collection = spec.collections[navigation.name];
  const collectionTarget = collection === undefined ? undefined : TABLES[collection.target];
  if (collection !== undefined && collectionTarget !== undefined) {
    const lookupName = lookupValueName(collection.lookupColumn);
    const children = data
      .records(collectionTarget)
      .filter((child) => child.row[lookupName] === record.row[spec.primaryKey]);
    return queryCollection(data, scope, collectionTarget, children);
  }
  const related = relatedThroughLookup(data, spec, record, navigation.name);
  if (related === undefined) throw dvErrors.resourceNotFound(navigation.name);
  if (related.record === undefined) return { status: 204, headers: { 'OData-Version': '4.0' } };
  const options = parseValidatedOptions(scope.request.query, related.spec);
  return entityResponse(
    scope,
    related.spec,
    shape(data, related.spec, related.record, options, scope.annotations),
    200,
    options,
  );
}

// ---------------------------------------------------------------- writes

function create(data: DataverseData, scope: RequestScope, spec: TableSpec): EmulatorResponse {
  const body = parseJsonObject(scope.request.body);
  const row: Row = {};
  const written = applyBody(data, scope, spec, row, body, true);
  const id = written.has(spec.primaryKey) ? String(row[spec.primaryKey]) : randomUUID();
  if (data.find(spec, id) !== undefined) throw new DvError(412, '0x80040237', 'Cannot insert duplicate key.');
  row[spec.primaryKey] = id;
  const record = data.put(spec, initialiseNewRow(data, spec, row, written));
  return writeResponse(data, scope, spec, record, 201);
}

/**
 * PATCH to a record URL is an upsert. If-Match / If-None-Match limit it to update or create, and
 * `Prefer: return=representation` tells the two apart (200 vs 201); otherwise both answer 204.
 */
function upsert(
  data: DataverseData,
  scope: RequestScope,
  spec: TableSpec,
  reference: RecordReference,
): EmulatorResponse {
  const { request } = scope;
  const body = parseJsonObject(request.body);
  const existing = findReferenced(data, spec, reference);
  const ifMatch = parsePreconditionHeader(request.headers['if-match']);
  const ifNoneMatch = parsePreconditionHeader(request.headers['if-none-match']);
  if (existing !== undefined) {
    if (ifNoneMatch.kind === 'any') throw dvErrors.matchingKeyExists();
    if (
      ifMatch.kind === 'tags' &&
      !matchesAnyTag(ifMatch, String(data.represent(spec, existing, false)['@odata.etag']))
    ) {
      throw dvErrors.versionMismatch();
    }
    const row: Row = { ...existing.row };
    // Key columns named in the URL are not updated from the body.
    const keyColumns = reference.kind === 'key' ? Object.keys(reference.values) : [];
    const updates = Object.fromEntries(Object.entries(body).filter(([name]) => !keyColumns.includes(name)));
    const written = applyBody(data, scope, spec, row, updates, false);
    applyStateChange(spec, row, written);
    row.modifiedon = nowSeconds();
    return writeResponse(data, scope, spec, data.put(spec, row), 200);
  }
  if (ifMatch.kind !== 'absent') throw notFound(spec, reference);
  const row: Row = reference.kind === 'id' ? { [spec.primaryKey]: reference.id } : { ...reference.values };
  const written = applyBody(data, scope, spec, row, body, true);
  if (!written.has(spec.primaryKey)) row[spec.primaryKey] = reference.kind === 'id' ? reference.id : randomUUID();
  return writeResponse(data, scope, spec, data.put(spec, initialiseNewRow(data, spec, row, written)), 201);
}

function remove(
  data: DataverseData,
  scope: RequestScope,
  spec: TableSpec,
  reference: RecordReference,
): EmulatorResponse {
  const existing = findReferenced(data, spec, reference);
  if (existing === undefined) throw notFound(spec, reference);
  const ifMatch = parsePreconditionHeader(scope.request.headers['if-match']);
  if (
    ifMatch.kind === 'tags' &&
    !matchesAnyTag(ifMatch, String(data.represent(spec, existing, false)['@odata.etag']))
  ) {
    throw dvErrors.versionMismatch();
  }
  data.remove(spec, String(existing.row[spec.primaryKey]));
  return { status: 204, headers: { 'OData-Version': '4.0' } };
}

/** 204 + OData-EntityId, or with `return=representation` the record (201 created / 200 updated). */
function writeResponse(
  data: DataverseData,
  scope: RequestScope,
  spec: TableSpec,
  record: StoredRecord,
  statusWithBody: 200 | 201,
): EmulatorResponse {
  const entityId = `${scope.apiRoot}/${spec.entitySet}(${String(record.row[spec.primaryKey])})`;
  if (scope.preferences.get('return') !== 'representation') {
    return { status: 204, headers: { 'OData-Version': '4.0', 'OData-EntityId': entityId } };
  }
  const options = parseValidatedOptions(scope.request.query, spec);
  const response = entityResponse(
    scope,
    spec,
    shape(data, spec, record, options, scope.annotations),
    statusWithBody,
    options,
  );
  return { ...response, headers: { ...response.headers, 'Preference-Applied': 'return=representation' } };
}

/**
 * Bulk records for load tests: column names as the Web API returns them, system columns (createdon,
 * modifiedon, statecode) included, so a change feed can be given any history. Checked like API writes
 * (known columns, types, lengths, unique keys); one bad record stores none.
 */
function insertRecords(data: DataverseData, entitySet: string, records: readonly unknown[]): number {
  const spec = TABLES[entitySet];
  if (spec === undefined) throw new Error(`There is no entity set '${entitySet}'.`);
  const known = propertyNames(spec);
  const now = nowSeconds();
  data.store.transaction(() => {
    records.forEach((record, index) => {
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new Error(`Record ${index} is not an object.`);
      }
      const stateful = Object.keys(spec.states).length > 0;
      const row: Row = {
        ...(stateful ? { statecode: 0, statuscode: spec.states[0]?.defaultStatus ?? 1 } : {}),
        createdon: now,
        ...record,
      };
      row.modifiedon ??= row.createdon;
      row[spec.primaryKey] = String(row[spec.primaryKey] ?? randomUUID()).toLowerCase();
      for (const [name, value] of Object.entries(row)) {
        const column = spec.columns.find((candidate) => candidate.name === name);
        const problem = column === undefined || value === null ? undefined : checkFieldValue(column, value);
        if (!known.has(name) || problem !== undefined) {
          throw new Error(`Record ${index}: ${entitySet} cannot hold ${JSON.stringify(value)} in '${name}'.`);
        }
      }
      if (data.find(spec, String(row[spec.primaryKey])) !== undefined) {
        throw new Error(`Record ${index}: ${spec.primaryKey} ${String(row[spec.primaryKey])} exists already.`);
      }
      try {
        data.put(spec, row);
      } catch (error) {
        throw new Error(`Record ${index}: ${(error as Error).message}`);
      }
    });
  });
  return records.length;
}

/** New rows start Active with the default status (statecode cannot be set on create), autonumber and timestamps. */
function initialiseNewRow(data: DataverseData, spec: TableSpec, row: Row, written: ReadonlySet<string>): Row {
  const state = spec.states[0];
  row.statecode = 0;
  if (!written.has('statuscode')) row.statuscode = state?.defaultStatus ?? 1;
  else if (state === undefined || !(Number(row.statuscode) in state.statuses)) throw invalidStatus(spec, row, 0);
  const autoNumber = spec.autoNumber;
  if (autoNumber !== undefined && (row[autoNumber.column] ?? '') === '')
    row[autoNumber.column] = data.nextAutoNumber(spec);
  row.createdon = nowSeconds();
  row.modifiedon = row.createdon;
  return row;
}

/** statecode and statuscode belong together: either may be sent, the other follows or is checked. */
function applyStateChange(spec: TableSpec, row: Row, written: ReadonlySet<string>): void {
  if (!written.has('statecode') && !written.has('statuscode')) return;
  if (!written.has('statecode')) {
    const owner = Object.entries(spec.states).find(([, state]) => Number(row.statuscode) in state.statuses);
    if (owner === undefined) throw invalidStatus(spec, row, Number(row.statecode));
    row.statecode = Number(owner[0]);
    return;
  }
  const state = spec.states[Number(row.statecode)];
  if (state === undefined) {
    throw dvErrors.invalidStatus(
      `${String(row.statecode)} is not a valid state code on ${spec.logicalName} with Id ${String(row[spec.primaryKey])}.`,
    );
  }
  if (!written.has('statuscode')) row.statuscode = state.defaultStatus;
  else if (!(Number(row.statuscode) in state.statuses)) throw invalidStatus(spec, row, Number(row.statecode));
}

function invalidStatus(spec: TableSpec, row: Row, statecode: number): DvError {
  const stateName = spec.states[statecode]?.name ?? String(statecode);
  return dvErrors.invalidStatus(
    `${String(row.statuscode)} is not a valid status code for state code ${spec.stateEnum}.${stateName} on ${spec.logicalName} with Id ${String(row[spec.primaryKey] ?? '')}.`,
  );
}

/** Copies a request body onto `row`: columns, `nav@odata.bind` lookups; system columns are ignored. */
function applyBody(
  data: DataverseData,
  scope: RequestScope,
  spec: TableSpec,
  row: Row,
  body: Row,
  isNew: boolean,
): Set<string> {
  const written = new Set<string>();
  for (const [name, value] of Object.entries(body)) {
    if (name.endsWith('@odata.bind')) {
      const navigation = name.slice(0, -'@odata.bind'.length);
      const lookup = spec.lookups.find((candidate) => navigation in candidate.navigation);
      const targetSet = lookup?.navigation[navigation];
      if (lookup === undefined || targetSet === undefined) throw dvErrors.invalidBind(spec.entitySet, navigation);
      if (value !== null && typeof value !== 'string') throw dvErrors.wrongType(spec.entitySet, name, 'Edm.String');
      const id = value === null ? null : resolveBind(data, scope, targetSet, value);
      DataverseData.bindLookup(row, lookup.column, navigation, TABLES[targetSet], id);
      written.add(lookupValueName(lookup.column));
      continue;
    }
    if (name.includes('@')) continue;
    if (/^_.+_value$/.test(name)) throw dvErrors.lookupValueWritten();
    const field = spec.columns.find((candidate) => candidate.name === name);
    if (field === undefined) throw dvErrors.unknownProperty(spec.entitySet, spec.logicalName, name);
    if (field.readOnly === true || (name === spec.primaryKey && !isNew)) continue;
    if (value === null) {
      row[name] = null;
      written.add(name);
      continue;
    }
    const problem = checkFieldValue(field, value);
    if (problem?.kind === 'type') throw dvErrors.wrongType(spec.entitySet, name, EDM_TYPES[field.type]);
    if (problem?.kind === 'length') {
      throw dvErrors.validation(
        `The length of the '${name}' attribute of the '${spec.logicalName}' entity exceeded the maximum allowed length of '${field.maxLength ?? 0}'.`,
      );
    }
    if (problem?.kind === 'option') {
      throw dvErrors.validation(
        `The value ${String(problem.value)} of '${name}' on record of type '${spec.logicalName}' is outside the valid range. Accepted Values: ${(field.options ?? []).join(',')}`,
      );
    }
    row[name] = normalizeFieldValue(field, value);
    written.add(name);
  }
  return written;
}

/** `accounts(<guid>)`, `/accounts(accountnumber='A1')` or an absolute URL → the target's id. */
function resolveBind(data: DataverseData, scope: RequestScope, targetSet: string, value: string): string {
  const path = value.replace(/^https?:\/\/[^/]+/i, '').replace(/^\/?(api\/data\/v9\.\d\/)?/, '');
  const segments = parseResourcePath(path);
  const [segment] = segments;
  if (segments.length !== 1 || segment?.key === undefined || segment.name !== targetSet) {
    throw dvErrors.badRequest(`The value '${value}' is not a valid reference to a ${targetSet} record.`);
  }
  const target = TABLES[targetSet];
  if (target === undefined) throw dvErrors.resourceNotFound(targetSet);
  const reference = recordReference(data, target, segment.key, scope.settings.unsafeKeyCharacters);
  const record = findReferenced(data, target, reference);
  if (record === undefined) throw notFound(target, reference);
  return String(record.row[target.primaryKey]);
}

// ---------------------------------------------------------------- query options and shaping

function parseValidatedOptions(query: URLSearchParams, spec: TableSpec): QueryOptions {
  const options = parseQueryOptions(query);
  validateOptions(options, spec);
  return options;
}

function propertyNames(spec: TableSpec): Set<string> {
  return new Set([
    ...spec.columns.map((column) => column.name),
    ...spec.lookups.map((lookup) => lookupValueName(lookup.column)),
  ]);
}

function validateOptions(options: QueryOptions, spec: TableSpec): void {
  const known = propertyNames(spec);
  const used = [
    ...(options.filter === undefined ? [] : referencedProperties(options.filter)),
    ...(options.select ?? []).filter((name) => name !== '*'),
    ...options.orderBy.map((item) => item.property),
  ];
  for (const property of used) {
    if (!known.has(property))
      throw dvErrors.query(
        `Could not find a property named '${property}' on type 'Microsoft.Dynamics.CRM.${spec.logicalName}'.`,
      );
  }
  for (const expand of options.expand) {
    const target = navigationTarget(spec, expand.navigation);
    if (target === undefined) {
      throw dvErrors.query(
        `Could not find a property named '${expand.navigation}' on type 'Microsoft.Dynamics.CRM.${spec.logicalName}'.`,
      );
    }
    validateOptions(expand.options, target);
  }
}

function navigationTarget(spec: TableSpec, navigation: string): TableSpec | undefined {
  const collection = spec.collections[navigation];
  if (collection !== undefined) return TABLES[collection.target];
  const lookup = spec.lookups.find((candidate) => navigation in candidate.navigation);
  const targetSet = lookup?.navigation[navigation];
  return targetSet === undefined ? undefined : TABLES[targetSet];
}

function relatedThroughLookup(
  data: DataverseData,
  spec: TableSpec,
  record: StoredRecord,
  navigation: string,
): { spec: TableSpec; record: StoredRecord | undefined } | undefined {
  const lookup = spec.lookups.find((candidate) => navigation in candidate.navigation);
  const target = navigationTarget(spec, navigation);
  if (lookup === undefined || target === undefined) return undefined;
  const name = lookupValueName(lookup.column);
  const id = record.row[name];
  // A polymorphic lookup only resolves through the navigation property it was set with.
  const boundThrough = record.row[`${name}@Microsoft.Dynamics.CRM.associatednavigationproperty`];
  const related =
    typeof id === 'string' && (boundThrough === undefined || boundThrough === navigation)
      ? data.find(target, id)
      : undefined;
  return { spec: target, record: related };
}

/** $select (the primary key is always returned) and $expand of one record. */
function shape(
  data: DataverseData,
  spec: TableSpec,
  record: StoredRecord,
  options: QueryOptions,
  annotations: boolean,
): Row {
  const representation = data.represent(spec, record, annotations);
  const selected =
    options.select === undefined || options.select.includes('*')
      ? undefined
      : new Set([...options.select, spec.primaryKey]);
  const shaped: Row = {};
  for (const [name, value] of Object.entries(representation)) {
    const column = name.split('@')[0] ?? '';
    if (selected === undefined || column === '' || selected.has(column)) shaped[name] = value;
  }
  for (const expand of options.expand) {
    const collection = spec.collections[expand.navigation];
    const target = navigationTarget(spec, expand.navigation);
    if (target === undefined) continue;
    if (collection !== undefined) {
      const lookupName = lookupValueName(collection.lookupColumn);
      const children = data.records(target).filter((child) => child.row[lookupName] === record.row[spec.primaryKey]);
      const rows = children.map((child) => data.represent(target, child, false));
      const ordered = filterAndSort(rows, expand.options, target.primaryKey);
      const limited = expand.options.top === undefined ? ordered : ordered.slice(0, expand.options.top);
      shaped[expand.navigation] = limited.map((row) => shapeRow(data, target, row, expand.options, annotations));
    } else {
      const related = relatedThroughLookup(data, spec, record, expand.navigation)?.record;
      shaped[expand.navigation] =
        related === undefined ? null : shape(data, target, related, expand.options, annotations);
    }
  }
  return shaped;
}

/** Shapes a row found by a query, going back to its stored record for $expand. */
function shapeRow(data: DataverseData, spec: TableSpec, row: Row, options: QueryOptions, annotations: boolean): Row {
  const record = data.find(spec, String(row[spec.primaryKey]));
  return record === undefined ? {} : shape(data, spec, record, options, annotations);
}

function entityResponse(
  scope: RequestScope,
  spec: TableSpec,
  body: Row,
  status: number,
  options: QueryOptions,
): EmulatorResponse {
  const headers: Record<string, string> = { ...ODATA_HEADERS };
  if (typeof body['@odata.etag'] === 'string') headers.ETag = body['@odata.etag'];
  const applied = preferencesApplied(scope, undefined);
  if (applied !== undefined) headers['Preference-Applied'] = applied;
  return { status, headers, body: { '@odata.context': contextUrl(scope, spec, options, true), ...body } };
}

function contextUrl(scope: RequestScope, spec: TableSpec, options: QueryOptions, single: boolean): string {
  const selection = options.select === undefined ? '' : `(${options.select.join(',')})`;
  return `${scope.apiRoot}/$metadata#${spec.entitySet}${selection}${single ? '/$entity' : ''}`;
}

function preferencesApplied(scope: RequestScope, pageSize: number | undefined): string | undefined {
  const applied: string[] = [];
  if (pageSize !== undefined) applied.push(`odata.maxpagesize=${pageSize}`);
  const annotations = scope.preferences.get('odata.include-annotations');
  if (annotations !== undefined) applied.push(`odata.include-annotations="${annotations}"`);
  return applied.length === 0 ? undefined : applied.join(',');
}

/** Dataverse's $skiptoken is a paging cookie; ours carries the position in the same shape. */
function pagingCookie(position: PagePosition, pageNumber: number): string {
  return `<cookie pagenumber="${pageNumber}" pagingcookie="${encodeURIComponent(encodePagePosition(position))}" istracking="False" />`;
}

function parsePagingCookie(token: string): { position: PagePosition; pageNumber: number } {
  const pageNumber = /pagenumber="(\d+)"/.exec(token)?.[1];
  const cookie = /pagingcookie="([^"]*)"/.exec(token)?.[1];
  if (pageNumber === undefined || cookie === undefined) throw dvErrors.query(`The $skiptoken '${token}' is not valid.`);
  return { position: decodePagePosition(decodeURIComponent(cookie)), pageNumber: Number(pageNumber) };
}

// ---------------------------------------------------------------- errors, limits, helpers

function parseJsonObject(body: Buffer): Row {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw dvErrors.badRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw dvErrors.badRequest('The request body must be a JSON object.');
  return parsed as Row;
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toErrorResponse(error: unknown): EmulatorResponse {
  if (error instanceof DvError) return error.toResponse();
  if (error instanceof ODataQueryError) return dvErrors.query(error.message).toResponse();
  return dvErrorResponse(500, '0x80040216', `An unexpected error occurred. ${String(error)}`);
}

function throttled(rejection: Rejection, limits: RateLimits): EmulatorResponse {
  const retryAfter = { 'Retry-After': String(Math.max(1, Math.ceil(rejection.retryAfterMs / 1000))) };
  const windowSeconds = Math.round(limits.windowMs / 1000);
  if (rejection.reason === 'requests') {
    return dvErrorResponse(
      429,
      '0x80072322',
      `Number of requests exceeded the limit of ${rejection.limit} over time window of ${windowSeconds} seconds.`,
      retryAfter,
    );
  }
  if (rejection.reason === 'execution') {
    return dvErrorResponse(
      429,
      '0x80072321',
      `Combined execution time of incoming requests exceeded limit of ${rejection.limit.toLocaleString('en-US')} milliseconds over time window of ${windowSeconds} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
      retryAfter,
    );
  }
  return dvErrorResponse(
    429,
    '0x80072326',
    `Number of concurrent requests exceeded the limit of ${limits.maxConcurrent}.`,
    retryAfter,
  );
}

/** 500 comes from the service in its error shape; 502/503/504 come from the gateway without a body. */
function injectedFailure(status: number, retryAfterSeconds: number | undefined): EmulatorResponse {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  if (status === 500) return dvErrorResponse(500, '0x80040216', 'An unexpected error occurred.', headers);
  return { status, headers };
}

/** The debugging headers documented for service protection limits. */
function withLimitHeaders(response: EmulatorResponse, admission: Admission): EmulatorResponse {
  const headers: Record<string, string> = {
    ...response.headers,
    'x-ms-ratelimit-burst-remaining-xrm-requests': String(admission.remainingRequests),
  };
  if (admission.remainingExecutionMs !== undefined) {
    headers['x-ms-ratelimit-time-remaining-xrm-requests'] = admission.remainingExecutionMs.toLocaleString('en-US', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }
  return { ...response, headers };
}
