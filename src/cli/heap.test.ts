import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HEAP_GROWING_PERCENT, HEAP_GROWING_ENV, heapGrowingPercent } from './heap.js';
import { CliError } from './errors.js';

const decide = (env: Record<string, string | undefined>, execArgv: string[] = []) => heapGrowingPercent({ env, execArgv }).percent;

describe('heap sizing of the commands', () => {
  it('sets the default growing factor when nothing says otherwise', () => {
    assert.equal(decide({}), DEFAULT_HEAP_GROWING_PERCENT);
    // Node options that do not size the old generation leave the default in place.
    assert.equal(decide({ NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=8' }, ['--require', 'x.cjs']), DEFAULT_HEAP_GROWING_PERCENT);
  });

  it('takes the environment variable, 0 meaning V8 decides', () => {
    assert.equal(decide({ [HEAP_GROWING_ENV]: '30' }), 30);
    assert.equal(decide({ [HEAP_GROWING_ENV]: '0' }), null);
    assert.equal(decide({ [HEAP_GROWING_ENV]: '' }), DEFAULT_HEAP_GROWING_PERCENT);
    // The variable is explicit: it wins over a heap flag given to Node.
    assert.equal(decide({ [HEAP_GROWING_ENV]: '40', NODE_OPTIONS: '--max-old-space-size=128' }), 40);
  });

  it('refuses a value that is not a percent', () => {
    for (const bad of ['-5', '1.5', 'fast', '5000']) assert.throws(() => decide({ [HEAP_GROWING_ENV]: bad }), CliError);
  });

  it('leaves V8 alone when Node was given a heap flag, in NODE_OPTIONS or on its command line', () => {
    assert.equal(decide({ NODE_OPTIONS: '--max-old-space-size=128' }), null);
    assert.equal(decide({ NODE_OPTIONS: '--enable-source-maps --max_old_space_size=256' }), null);
    assert.equal(decide({}, ['--max-heap-size', '512']), null);
    assert.equal(decide({}, ['--heap-growing-percent=20']), null);
  });
});
