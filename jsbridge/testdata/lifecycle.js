// setup and teardown run once per worker VM, before its first element and after its last.
let calls = 0;

module.exports = {
  async setup() {
    this.factor = await Promise.resolve(args.factor);
    console.log('setup factor=%d', this.factor);
  },
  map(item, index) {
    calls++;
    return {index, value: item * this.factor, calls};
  },
  async teardown() {
    await null;
    console.log('teardown after %d calls', calls);
  },
};
