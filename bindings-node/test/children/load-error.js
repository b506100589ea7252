// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// The kernel caps the instructions of all filters stacked on a thread (MAX_INSNS_PER_PATH,
// 32768 with 4 extra per filter). Loading a ~3900-instruction filter again and again: the
// kernel refuses the ninth with ENOMEM. The error carries errno and stage, and the refused
// filter was not added.

const { report, errorOf, tryExec } = require('./common')
const sysfence = require('sysfence')

const rules = []
for (let i = 0; i < 3870; i++) {
  rules.push({ action: 'errno:EPERM', syscalls: ['dup'], args: [{ index: 0, op: 'eq', value: 100000 + i }] })
}
const filter = sysfence.compilePolicy({ default_action: 'allow', log_denied: false, rules })
const before = sysfence.status()
let loads = 0
let error = null
while (loads < 20 && !(error = errorOf(() => filter.load()))) loads++
report({ length: filter.length, before, loads, error, status: sysfence.status(), exec: tryExec() })
