import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pathStatus } from './paths.js';

describe('pathStatus', () => {
  it('exercised only when every step is; attempted on a denied step or an exercised last step; routine earlier hops stay possible', () => {
    assert.equal(pathStatus([{ status: 'exercised' }, { status: 'exercised' }]), 'exercised');
    assert.equal(pathStatus([{ status: 'exercised' }, { status: 'possible' }]), 'possible');
    assert.equal(pathStatus([{ status: 'possible' }, { status: 'attempted' }]), 'attempted');
    assert.equal(pathStatus([{ status: 'possible' }, { status: 'exercised' }]), 'attempted');
    assert.equal(pathStatus([{ status: 'possible' }]), 'possible');
    assert.equal(pathStatus([]), 'possible');
  });
});
