// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// applyPolicy with bad input throws coded errors and loads nothing.

const { report, errorOf, tryExec } = require('./common')
const { applyPolicy, status } = require('sysfence')

const before = status()
const errors = {
  typo: errorOf(() =>
    applyPolicy({ default_action: 'allow', rules: [{ action: 'errno:EACCES', syscalls: ['exceve'] }] }),
  ),
  preset: errorOf(() => applyPolicy('no-exex')),
  undefined: errorOf(() => applyPolicy(undefined)),
  number: errorOf(() => applyPolicy(42)),
}
report({ errors, before, status: status(), exec: tryExec() })
