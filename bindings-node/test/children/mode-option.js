// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// applyPolicy(policy, { mode }): a bad mode throws and loads nothing; 'log' lets what no-exec
// refuses run; 'enforce' enforces a policy written in log mode.

const { report, trySpawn } = require('./common')
const sysfence = require('sysfence')

let bad = null
try {
  sysfence.applyPolicy('no-exec', { mode: 'lgo' })
} catch (e) {
  bad = { code: e.code, message: e.message, seccomp: sysfence.status().mode }
}
let misspelt = null
try {
  sysfence.applyPolicy('no-exec', { mdoe: 'log' })
} catch (e) {
  misspelt = e.code
}
const logged = sysfence.applyPolicy('no-exec', { mode: 'log' })
const inLog = trySpawn()
sysfence.applyPolicy({ default_action: 'allow', mode: 'log', extends: ['no-exec'] }, { mode: 'enforce' })
report({ bad, misspelt, mode: logged.mode, inLog, enforced: trySpawn() })
