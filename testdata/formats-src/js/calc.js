'use strict';

function classify(n) {
  if (n < 0) {
    return 'negative';
  } else if (n === 0) {
    return 'zero';
  }
  return n > 100 ? 'big' : 'positive';
}

const unused = (x) => x * 2;

function main(args) {
  const n = args.length ? Number(args[0]) : 0;
  console.log(classify(n));
  return 0;
}

module.exports = { classify, unused };

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
