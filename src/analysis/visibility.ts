/**
 * Whether CloudTrail can show that an action was used. The mapping layer (src/parse/actions)
 * owns the authoritative table; analysis takes the function as a parameter so the rules
 * stay pure and tests can pin it. `fallbackVisibility` is a conservative built-in used only
 * when no mapping table is supplied.
 */
export type Visibility = 'logged' | 'data-event' | 'not-logged';
export type VisibilityFn = (action: string) => Visibility;

/** Actions CloudTrail never records as an event of their own. */
const NOT_LOGGED = new Set(['iam:passrole']);

/** Object/item-level APIs that only appear when the trail records data events. */
const DATA_EVENT_PATTERNS: RegExp[] = [
  /^s3:(get|put|delete|restore|abort|list)(object|multipart)/i,
  /^s3:(listbucket(multipartuploads|versions)?|selectobjectcontent)$/i,
  /^s3-object-lambda:/i,
  /^lambda:invoke(function|async|functionurl)?$/i,
  /^lambda:invokefunctionurl$/i,
  /^dynamodb:(get|put|delete|update|batchget|batchwrite)item$/i,
  /^dynamodb:(query|scan|conditioncheckitem|partiqlselect|partiqlinsert|partiqlupdate|partiqldelete)$/i,
  /^kinesis:(getrecords|putrecords?|getsharditerator|subscribetoshard)$/i,
  /^sns:publish(batch)?$/i,
  /^sqs:(sendmessage(batch)?|receivemessage|deletemessage(batch)?|changemessagevisibility(batch)?)$/i,
  /^ssmmessages:/i,
  /^ec2messages:/i,
  /^execute-api:invoke$/i,
];

export const fallbackVisibility: VisibilityFn = (action) => {
  const a = action.toLowerCase();
  if (NOT_LOGGED.has(a)) return 'not-logged';
  if (DATA_EVENT_PATTERNS.some((p) => p.test(a))) return 'data-event';
  return 'logged';
};

/** Memoises a visibility function (it is asked once per granted action per identity). */
export function cachedVisibility(fn: VisibilityFn): VisibilityFn {
  const cache = new Map<string, Visibility>();
  return (action) => {
    const key = action.toLowerCase();
    let v = cache.get(key);
    if (v === undefined) {
      v = fn(action);
      cache.set(key, v);
    }
    return v;
  };
}
