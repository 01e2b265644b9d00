import type { NormalizedEvent } from '../../../model/index.js';
import type { ReplayState } from '../state.js';

/** Applies one successful IAM change event to the account's configuration. */
export type Applier = (state: ReplayState, e: NormalizedEvent) => void;
