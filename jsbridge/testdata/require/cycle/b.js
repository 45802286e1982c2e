const a = require('./a');
exports.sawA = JSON.stringify(a);
exports.aDoneYet = 'a2' in a;
