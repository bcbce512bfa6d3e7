// Fields of the cloudtrail plugin (falcosecurity/plugins `cloudtrail` 0.17): AWS CloudTrail
// records of the `aws_cloudtrail` source, plus S3, EC2, ECR and IAM details of some records.
import { declareClass, OPTIONAL_INDEX_ARG, type FieldSpec } from '../declare.js';

function s(name: string, desc: string, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { name, type: 'CHARBUF', desc, ...extra };
}
function n(name: string, desc: string, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { name, type: 'UINT64', desc, ...extra };
}
/** Plugin fields with the `hidden` property are not listed. */
const HIDDEN = { hidden: true } as const;
const NA_WITHOUT_ERROR = 'No value (<NA>) when the call succeeded.';

export const cloudtrailPluginClass = declareClass({ name: 'cloudtrail', plugin: true }, [
  s('ct.id', 'Unique id of the CloudTrail record (eventID).'),
  s('ct.error', `Error code of the record. ${NA_WITHOUT_ERROR}`),
  s('ct.errormessage', `Error message of the record. ${NA_WITHOUT_ERROR}`),
  s('ct.time', 'Time of the record (eventTime).', HIDDEN),
  s('ct.src', 'AWS service that produced the record (eventSource).'),
  s('ct.shortsrc', "AWS service that produced the record (eventSource) without the '.amazonaws.com' suffix."),
  s('ct.name', 'Name of the API call or action (eventName).'),
  s(
    'ct.user',
    'User of the record (userIdentity.userName); for assumed roles, the role name from the session issuer.',
  ),
  s(
    'ct.originaluser',
    'User name as CloudTrail reports it: for assumed roles the session name (from the ARN or principal id), ' +
      'otherwise userIdentity.userName.',
  ),
  s('ct.user.accountid', 'Account id of the user.'),
  s('ct.user.identitytype', 'Kind of identity of the user (Root, IAMUser, AWSService ...).'),
  s('ct.user.principalid', 'Unique identifier of the principal that made the request.'),
  s('ct.user.arn', 'ARN of the user that made the request.'),
  s('ct.region', 'AWS region of the record (awsRegion).'),
  s('ct.response.subnetid', 'Subnet id found in the response.'),
  s('ct.response.reservationid', 'Reservation id found in the response.'),
  s('ct.response', 'Every response element.'),
  s('ct.request.availabilityzone', 'Availability zone found in the request.'),
  s('ct.request.cluster', 'Cluster found in the request.'),
  s('ct.request.functionname', 'Function name found in the request.'),
  s('ct.request.groupname', 'Group name found in the request.'),
  s('ct.request.host', 'Host found in the request.'),
  s('ct.request.name', 'Name of the entity the request acts on.'),
  s('ct.request.policy', 'Policy found in the request.'),
  s('ct.request.reason', 'Reason found in the request.'),
  s('ct.request.target', 'Target found in the request.'),
  s('ct.request.documentname', 'Document name found in the request.'),
  s('ct.request.serialnumber', 'Serial number found in the request.'),
  s('ct.request.servicename', 'Service name found in the request.'),
  s('ct.request.subnetid', 'Subnet id found in the request.'),
  s('ct.request.taskdefinition', 'Task definition found in the request.'),
  s('ct.request.username', 'User name found in the request.'),
  s('ct.request', 'Every request parameter.'),
  s('ct.srcip', 'IP address the request came from (sourceIPAddress).'),
  s('ct.useragent', 'User agent of the request (userAgent).'),
  s('ct.info', 'Summary of the record; for some kinds of records it includes their specific details.'),
  s(
    'ct.managementevent',
    "'true' for management events (AwsApiCall, AwsConsoleAction, AwsConsoleSignIn, AwsServiceEvent), 'false' otherwise.",
  ),
  s(
    'ct.readonly',
    "'true' if the call only reads (e.g. DescribeInstances), 'false' if it changes something (e.g. RunInstances).",
  ),
  s('ct.requestid', 'Id of the request.'),
  s('ct.eventtype', 'Kind of event that produced the record.'),
  s('ct.apiversion', 'API version of an AwsApiCall record.'),
  s('ct.resources', 'Resources the record concerns.'),
  s('ct.recipientaccountid', 'Account id that received the record.'),
  s('ct.serviceeventdetails', 'For service events, what triggered them and their outcome.'),
  s('ct.sharedeventid', 'Id CloudTrail gives to records shared between accounts.'),
  s('ct.vpcendpointid', 'VPC endpoint the request went through.'),
  s('ct.eventcategory', 'Category of the record, as LookupEvents uses it.'),
  s('ct.addendum.reason', 'Why the record, or part of it, was missing at first.'),
  s('ct.addendum.updatedfields', 'Fields of the record that an addendum updated.'),
  s('ct.addendum.originalrequestid', 'Original request id (addendum).'),
  s('ct.addendum.originaleventid', 'Original event id (addendum).'),
  s('ct.sessioncredentialfromconsole', 'Whether the record comes from an AWS Management Console session.'),
  s('ct.edgedevicedetails', 'Edge devices the request targets.'),
  s('ct.tlsdetails.tlsversion', 'TLS version of the request.'),
  s('ct.tlsdetails.ciphersuite', 'TLS cipher suite of the request.'),
  s('ct.tlsdetails.clientprovidedhostheader', 'Host name the client gave in the service API call.'),
  s('ct.additionaleventdata', 'Every additional event data attribute.'),
  s('s3.uri', 'S3 URI (s3://<bucket>/<key>).'),
  s('s3.bucket', 'Bucket name of S3 records.'),
  s('s3.key', 'Object key of S3 records.'),
  n('s3.bytes', 'Size in bytes of an S3 download or upload.'),
  n('s3.bytes.in', 'Size in bytes of an S3 upload.', HIDDEN),
  n('s3.bytes.out', 'Size in bytes of an S3 download.', HIDDEN),
  n('s3.cnt.get', '1 for GetObject records, 0 otherwise.', HIDDEN),
  n('s3.cnt.put', '1 for PutObject records, 0 otherwise.', HIDDEN),
  n('s3.cnt.other', '1 for S3 records other than GetObject and PutObject, 0 for those.', HIDDEN),
  s('ec2.name', 'Name of the EC2 instances, usually from their tags.'),
  s('ec2.imageid', '(Deprecated, use ec2.imageids[0]) Image id of the EC2 instance in the response.'),
  s('ec2.imageids', 'Image ids of the EC2 instances concerned.', { isList: true, arg: OPTIONAL_INDEX_ARG }),
  s('ecr.repository', 'ECR repository named in the request.'),
  s('ecr.imagetag', 'Image tag named in the request.'),
  s('iam.role', 'IAM role named in the request.'),
  s('iam.policy', 'IAM policy named in the request.'),
]);
