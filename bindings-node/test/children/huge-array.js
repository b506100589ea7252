// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// An array whose `length` promises far more than it holds (`a.length = 2 ** 32 - 1`), or an
// array of 10^7 elements, given where a policy or simulate() takes one. Each call must throw a
// coded error quickly, never allocate from the length (an abort that try/catch cannot stop).
// Reports each error and how long the call took. argv[2] names the case.

const { report, errorOf } = require('./common')
const { checkPolicy, compilePolicy, Policy } = require('sysfence')

const sparse = () => {
  const a = []
  a.length = 2 ** 32 - 1
  return a
}
const build = {
  sparse,
  // Holey, 10^7 long, one element set.
  sparse1e7: () => {
    const a = []
    a.length = 1e7
    a[0] = 'read'
    return a
  },
  // 10^7 elements, every one present.
  dense1e7: () => new Array(1e7).fill('read'),
}[process.argv[2]]

const filter = compilePolicy('no-exec')
const cases = {
  rules: (a) => () => new Policy({ default_action: 'allow', rules: a }),
  syscalls: (a) => () => checkPolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls: a }] }),
  args: (a) => () =>
    compilePolicy({ default_action: 'allow', rules: [{ action: 'errno', syscalls: ['dup'], args: a }] }),
  extends: (a) => () => compilePolicy({ default_action: 'allow', extends: a }),
  simulate: (a) => () => filter.simulate('read', a),
}
const array = build()
const out = {}
for (const [name, make] of Object.entries(cases)) {
  const call = make(array)
  const start = process.hrtime.bigint()
  const error = errorOf(call)
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  out[name] = { error, ms }
}
report(out)
