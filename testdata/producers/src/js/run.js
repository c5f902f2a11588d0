'use strict';
// node run.js WORKER: each worker exercises different branches of lib.js.
const lib = require('./lib');
const worker = process.argv[2];
if (worker === 'w1') {
  lib.sign(5);
  lib.pick(true);
  lib.total([1, 2], 0);
} else if (worker === 'w2') {
  lib.sign(-5);
  lib.pick(false);
  lib.total([1, 50, 0], 10);
} else {
  lib.sign(0);
}
