// Extractors of the cloudtrail plugin's fields (ct.*, s3.*, ec2.*, ecr.*, iam.*) over one
// CloudTrail record, with the semantics of falcosecurity/plugins `cloudtrail` 0.17 (its
// extract.go), which rules observe:
// - a field read from one JSON key has no value when the key is missing; when it is present but
//   not a string (an object, a number, null) its value is the EMPTY string (fastjson's
//   GetStringBytes gives nil, which the plugin turns into "");
// - ct.request, ct.response and ct.additionaleventdata are compact JSON of the whole member;
//   ct.resources joins the compact JSON of each resource with commas;
// - ct.managementevent and ct.sessioncredentialfromconsole are "true" or "false" when present;
// - ct.readonly is "true" or "false" when `readOnly` is present (false also for non-booleans);
// - ct.user depends on the identity type; ct.originaluser gives the session name of assumed roles;
// - ct.request.documentname never has a value: the plugin's code looks for `ct.request.documentName`
//   and so never finds the field it declares. Kept, so rules behave as in Falco.
import type { FieldExtractor, Registry } from '../../registry.js';
import type { FieldArg, FieldValue } from '../../types.js';
import { child, isObject, lookup, type Json, type JsonObject } from './json-access.js';

/** What the cloudtrail extractors read: the record of the event. */
export interface CloudTrailRecordEvent {
  readonly payload: JsonObject;
}

type Reader = (r: JsonObject) => FieldValue | undefined;

/** A member as the plugin reads it: a string as is, any other present value as "". */
function str(value: Json | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : '';
}

const at = (...keys: string[]): Reader => (r) => str(lookup(r, keys));

/** A member as compact JSON (MarshalTo). */
const jsonOf = (key: string): Reader => (r) => {
  const v = child(r, key);
  return v === undefined ? undefined : JSON.stringify(v);
};

/** A boolean member as "true"/"false" (fastjson's Bool(): false for anything but `true`). */
const boolText = (key: string): Reader => (r) => {
  const v = child(r, key);
  return v === undefined ? undefined : v === true ? 'true' : 'false';
};

const AMAZONAWS = '.amazonaws.com';

function user(r: JsonObject): string | undefined {
  const type = lookup(r, ['userIdentity', 'type']);
  if (typeof type !== 'string') return undefined;
  switch (type) {
    case 'Root':
    case 'IAMUser': {
      const v = lookup(r, ['userIdentity', 'userName']);
      return v === undefined ? undefined : str(v);
    }
    case 'AWSService': {
      const v = lookup(r, ['userIdentity', 'invokedBy']);
      return v === undefined ? undefined : str(v);
    }
    case 'AssumedRole': {
      const v = lookup(r, ['userIdentity', 'sessionContext', 'sessionIssuer', 'userName']);
      return v === undefined ? 'AssumedRole' : str(v);
    }
    case 'AWSAccount':
    case 'FederatedUser':
      return type;
    default:
      return undefined;
  }
}

function sessionNameOfAssumedRole(r: JsonObject): string | undefined {
  const arn = lookup(r, ['userIdentity', 'arn']);
  if (arn !== undefined) {
    const parts = (str(arn) ?? '').split('/');
    if (parts.length === 3) return parts[2];
  }
  const principal = lookup(r, ['userIdentity', 'principalId']);
  if (principal !== undefined) {
    const parts = (str(principal) ?? '').split(':');
    if (parts.length === 2) return parts[1];
  }
  return undefined;
}

function originalUser(r: JsonObject): string | undefined {
  if (lookup(r, ['userIdentity', 'type']) === 'AssumedRole') return sessionNameOfAssumedRole(r);
  return at('userIdentity', 'userName')(r) as string | undefined;
}

function readOnly(r: JsonObject): string | undefined {
  // No value without `readOnly`: the plugin has a guess from the event name for that case, but
  // its code never reaches it.
  const v = child(r, 'readOnly');
  if (v === undefined) return undefined;
  return v === true ? 'true' : 'false';
}

function resources(r: JsonObject): string | undefined {
  const v = child(r, 'resources');
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const text = (v as readonly Json[]).map((x) => JSON.stringify(x)).join(',');
  return text === '' ? undefined : text;
}

function s3Uri(r: JsonObject): string | undefined {
  const bucket = lookup(r, ['requestParameters', 'bucketName']);
  const key = lookup(r, ['requestParameters', 'key']);
  if (typeof bucket !== 'string' || typeof key !== 'string') return undefined;
  return `s3://${bucket}/${key}`;
}

function ec2Name(r: JsonObject): string | undefined {
  const items = lookup(r, ['requestParameters', 'tagSpecificationSet', 'items']);
  if (!Array.isArray(items)) return undefined;
  let name = '';
  for (const item of items as readonly Json[]) {
    if (str(child(item, 'resourceType')) !== 'instance') continue;
    const tags = child(item, 'tags');
    if (!Array.isArray(tags)) continue;
    for (const tag of tags as readonly Json[]) {
      if (str(child(tag, 'key')) === 'Name') {
        name = str(child(tag, 'value')) ?? '';
        break;
      }
    }
  }
  return name === '' ? undefined : name;
}

/** Image ids of the instances of a record, or the one at `index` (the plugin's getImageIds). */
function imageIds(r: JsonObject, index: number | undefined): string[] | undefined {
  const items = lookup(r, ['responseElements', 'instancesSet', 'items']);
  if (items !== undefined) {
    const list = Array.isArray(items) ? (items as readonly Json[]) : [];
    if (index === undefined) {
      const ids = list.map((item) => str(child(item, 'imageId')) ?? '').filter((id) => id !== '');
      return ids.length > 0 ? ids : undefined;
    }
    if (index < 0 || index >= list.length) return undefined;
    const id = child(list[index], 'imageId');
    return id === undefined ? undefined : [str(id)!];
  }
  if (index !== undefined && index !== 0) return undefined;
  for (const path of [['imageId'], ['DescribeFastLaunchImagesRequest', 'ImageId', 'content'], ['launchSpecification', 'imageId']]) {
    const id = lookup(r, ['requestParameters', ...path]);
    if (id !== undefined) return [str(id)!];
  }
  return undefined;
}

/** fastjson's Uint64(), else Float64() truncated, else 0 (byte counts are sometimes floats). */
function u64(value: Json): number {
  return typeof value === 'number' && value >= 0 ? Math.trunc(value) : 0;
}

function s3Bytes(r: JsonObject, which: 'in' | 'out' | 'both'): number | undefined {
  const data = child(r, 'additionalEventData');
  const bytesIn = which !== 'out' ? child(data, 'bytesTransferredIn') : undefined;
  const bytesOut = which !== 'in' ? child(data, 'bytesTransferredOut') : undefined;
  if (bytesIn === undefined && bytesOut === undefined) return undefined;
  return (bytesIn === undefined ? 0 : u64(bytesIn)) + (bytesOut === undefined ? 0 : u64(bytesOut));
}

function s3Count(r: JsonObject, kind: 'get' | 'put' | 'other'): number | undefined {
  const name = str(child(r, 'eventName'));
  if (kind === 'get') return name === 'GetObject' ? 1 : undefined;
  if (kind === 'put') return name === 'PutObject' ? 1 : undefined;
  return name === 'GetObject' || name === 'PutObject' ? undefined : 1;
}

/** ct.info: who did what, with the details some kinds of records add (the plugin's getEvtInfo). */
export function cloudTrailInfo(r: JsonObject): string {
  const who = user(r);
  if (who === undefined) return '<invalid cloudtrail event: userIdentity field missing>';
  const srcip = str(child(r, 'sourceIPAddress'));
  if (srcip === undefined) return '<invalid cloudtrail event: eventSource field missing>';
  const error = child(r, 'errorCode') !== undefined ? '!' : '';
  const rw = readOnly(r) === 'false' ? '→' : '←';
  const name = str(child(r, 'eventName'));
  if (name === undefined) return '<invalid cloudtrail event: eventName field missing>';
  let info = who === srcip ? `${who} ${error}${rw} ${name}` : `${who} via ${srcip} ${error}${rw} ${name}`;
  if (name === 'PutBucketPublicAccessBlock') {
    // The plugin reads the four flags from the record's top level, where they never are: false.
    if (isObject(lookup(r, ['requestParameters', 'PublicAccessBlockConfiguration']))) {
      info += ' BlockPublicAcls=false BlockPublicPolicy=false IgnorePublicAcls=false RestrictPublicBuckets=false ';
    }
    return info;
  }
  const bytes = s3Bytes(r, 'both');
  if (bytes !== undefined) info += ` Size=${bytes}`;
  const uri = s3Uri(r);
  if (uri !== undefined) return `${info} URI=${uri}`;
  const bucket = at('requestParameters', 'bucketName')(r);
  if (bucket !== undefined) return `${info} Bucket=${bucket}`;
  const key = at('requestParameters', 'key')(r);
  if (key !== undefined) return `${info} Key=${key}`;
  const host = at('requestParameters', 'Host')(r);
  if (host !== undefined) return `${info} Host=${host}`;
  return info;
}

const READERS: Readonly<Record<string, Reader>> = {
  'ct.id': at('eventID'),
  'ct.error': at('errorCode'),
  'ct.errormessage': at('errorMessage'),
  'ct.time': at('eventTime'),
  'ct.src': at('eventSource'),
  'ct.shortsrc': (r) => {
    const v = child(r, 'eventSource');
    if (v === undefined) return undefined;
    const s = str(v)!;
    return s.length > AMAZONAWS.length && s.endsWith(AMAZONAWS) ? s.slice(0, -AMAZONAWS.length) : s;
  },
  'ct.name': at('eventName'),
  'ct.user': user,
  'ct.originaluser': originalUser,
  'ct.user.accountid': (r) => at('userIdentity', 'accountId')(r) ?? at('recipientAccountId')(r),
  'ct.user.identitytype': at('userIdentity', 'type'),
  'ct.user.principalid': at('userIdentity', 'principalId'),
  'ct.user.arn': at('userIdentity', 'arn'),
  'ct.region': at('awsRegion'),
  'ct.response.subnetid': at('responseElements', 'subnetId'),
  'ct.response.reservationid': at('responseElements', 'reservationId'),
  'ct.response': jsonOf('responseElements'),
  'ct.request.availabilityzone': at('requestParameters', 'availabilityZone'),
  'ct.request.cluster': at('requestParameters', 'cluster'),
  'ct.request.functionname': at('requestParameters', 'functionName'),
  'ct.request.groupname': at('requestParameters', 'groupName'),
  'ct.request.host': at('requestParameters', 'Host'),
  'ct.request.name': at('requestParameters', 'name'),
  'ct.request.policy': at('requestParameters', 'policy'),
  'ct.request.reason': at('requestParameters', 'reason'),
  'ct.request.target': at('requestParameters', 'target'),
  'ct.request.documentname': () => undefined,
  'ct.request.serialnumber': at('requestParameters', 'serialNumber'),
  'ct.request.servicename': at('requestParameters', 'serviceName'),
  'ct.request.subnetid': at('requestParameters', 'subnetId'),
  'ct.request.taskdefinition': at('requestParameters', 'taskDefinition'),
  'ct.request.username': at('requestParameters', 'userName'),
  'ct.request': jsonOf('requestParameters'),
  'ct.srcip': at('sourceIPAddress'),
  'ct.useragent': at('userAgent'),
  'ct.info': cloudTrailInfo,
  'ct.managementevent': boolText('managementEvent'),
  'ct.readonly': readOnly,
  'ct.requestid': at('requestID'),
  'ct.eventtype': at('eventType'),
  'ct.apiversion': at('apiVersion'),
  'ct.resources': resources,
  'ct.recipientaccountid': at('recipientAccountId'),
  'ct.serviceeventdetails': at('serviceEventDetails'),
  'ct.sharedeventid': at('sharedEventID'),
  'ct.vpcendpointid': at('vpcEndpointId'),
  'ct.eventcategory': at('eventCategory'),
  'ct.addendum.reason': at('addendum', 'reason'),
  'ct.addendum.updatedfields': at('addendum', 'updatedFields'),
  'ct.addendum.originalrequestid': at('addendum', 'originalRequestID'),
  'ct.addendum.originaleventid': at('addendum', 'originalEventID'),
  'ct.sessioncredentialfromconsole': boolText('sessionCredentialFromConsole'),
  'ct.edgedevicedetails': at('edgeDeviceDetails'),
  'ct.tlsdetails.tlsversion': at('tlsDetails', 'tlsVersion'),
  'ct.tlsdetails.ciphersuite': at('tlsDetails', 'cipherSuite'),
  'ct.tlsdetails.clientprovidedhostheader': at('tlsDetails', 'clientProvidedHostHeader'),
  'ct.additionaleventdata': jsonOf('additionalEventData'),
  's3.uri': s3Uri,
  's3.bucket': at('requestParameters', 'bucketName'),
  's3.key': at('requestParameters', 'key'),
  's3.bytes': (r) => s3Bytes(r, 'both'),
  's3.bytes.in': (r) => s3Bytes(r, 'in'),
  's3.bytes.out': (r) => s3Bytes(r, 'out'),
  's3.cnt.get': (r) => s3Count(r, 'get'),
  's3.cnt.put': (r) => s3Count(r, 'put'),
  's3.cnt.other': (r) => s3Count(r, 'other'),
  'ec2.name': ec2Name,
  'ec2.imageid': (r) => imageIds(r, 0)?.[0],
  'ecr.repository': at('requestParameters', 'repositoryName'),
  'ecr.imagetag': at('requestParameters', 'imageTag'),
  'iam.role': at('requestParameters', 'roleName'),
  'iam.policy': at('requestParameters', 'policyName'),
};

/** Attaches the cloudtrail plugin's extractors to a registry of CloudTrail record events. */
export function implementCloudTrailFields<E extends CloudTrailRecordEvent>(registry: Registry<E>): void {
  for (const [name, read] of Object.entries(READERS)) {
    registry.implement(name, (): FieldExtractor<E> => ({ extract: (e) => read(e.payload) }));
  }
  registry.implement('ec2.imageids', (_def, arg: FieldArg | undefined): FieldExtractor<E> => {
    const index = arg?.index;
    return { extract: (e) => imageIds(e.payload, index) };
  });
}
