// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Log mode: what no-exec would refuse runs, and the kernel logs it. Reports the pid of the
// process whose execve is logged.

const { spawnSync } = require('node:child_process')
const { report } = require('./common')
const sysfence = require('sysfence')

const result = sysfence.applyPolicy({ default_action: 'allow', mode: 'log', extends: ['no-exec'] })
const r = spawnSync('/bin/true')
report({ result, pid: r.pid, status: r.status, error: r.error ? r.error.code : null })
