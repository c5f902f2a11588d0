'use strict';

function sign(n) {
  if (n < 0) {
    return -1;
  }
  return n === 0 ? 0 : 1;
}

function pick(flag) {
  return flag ? 'yes' : 'no';
}

function total(list, limit) {
  let sum = 0;
  for (const x of list) {
    if (x > limit && limit > 0) {
      continue;
    }
    sum += x || 0;
  }
  return sum;
}

module.exports = { sign, pick, total };
