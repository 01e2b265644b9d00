/**
 * Whether CloudTrail can show that an action was used. The mapping layer (src/parse/actions)
 * owns the table; analysis takes the function as a parameter so rules stay pure and tests can
 * pin it.
 */
import { cloudTrailVisibility, type CloudTrailVisibility } from '../parse/index.js';

export type Visibility = CloudTrailVisibility;
export type VisibilityFn = (action: string) => Visibility;

export const defaultVisibility: VisibilityFn = cloudTrailVisibility;

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
