'use strict';
const assert = require('assert');
const { classify } = require('./calc');
assert.strictEqual(classify(5), 'positive');
assert.strictEqual(classify(-1), 'negative');
console.log('2 passed, 0 failed');
