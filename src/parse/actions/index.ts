/**
 * Maps a CloudTrail record to the IAM actions it exercised. This first version derives the
 * IAM prefix from the eventSource host and uses eventName as the action; the full table
 * (prefix exceptions, version suffixes, S3 names, permissionless calls, inferred iam:PassRole)
 * replaces it.
 */
export interface ActionMapping {
  /** IAM actions, as IAM spells them (e.g. s3:ListAllMyBuckets). Empty for calls that need no permission. */
  actions: string[];
  /** Resource ARNs the request names (CloudTrail resources[] plus inferred ones such as a passed role). */
  resources: string[];
}

export function mapEventToActions(record: Record<string, unknown>): ActionMapping {
  const source = typeof record.eventSource === 'string' ? record.eventSource : '';
  const name = typeof record.eventName === 'string' ? record.eventName : '';
  const prefix = source.split('.')[0] ?? '';
  return { actions: prefix && name ? [`${prefix}:${name}`] : [], resources: [] };
}
