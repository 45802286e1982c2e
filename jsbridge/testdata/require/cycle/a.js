// a requires b, which requires a back: b sees a's exports as they are at that point.
exports.a1 = 1;
const b = require('./b');
exports.a2 = 2;
exports.bSaw = b.sawA;
