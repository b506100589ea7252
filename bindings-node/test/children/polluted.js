// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Prototype pollution elsewhere in the app must not change the policy applyPolicy loads:
// with Object.prototype.mode = 'log' (and more), no-exec still refuses exec, also when
// applyPolicy is given an options object.

const { report, tryExec, trySpawn } = require('./common')
const sysfence = require('sysfence')

const before = { exec: tryExec(), spawn: trySpawn() }
Object.prototype.mode = 'log'
Object.prototype.log_denied = false
Object.prototype.rules = [{ action: 'allow', syscalls: ['execve', 'execveat', 'fork', 'vfork'] }]
Array.prototype[0] = 'hardened'
let result
try {
  // An options object without its own mode: the polluted prototype's mode is not read.
  result = sysfence.applyPolicy({ default_action: 'allow', extends: ['no-exec'] }, {})
} finally {
  delete Object.prototype.mode
  delete Object.prototype.log_denied
  delete Object.prototype.rules
  delete Array.prototype[0]
}
report({ before, result, after: { exec: tryExec(), spawn: trySpawn() } })
