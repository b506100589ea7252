// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Argument rules: openat with O_CREAT in its flags is refused with EPERM; opening without it
// still works. The values come as a BigInt and a hex string, through a Policy instance.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { report } = require('./common')
const { Policy, applyPolicy } = require('sysfence')

const O_CREAT = fs.constants.O_CREAT
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysfence-node-'))
const existing = path.join(dir, 'existing')
fs.writeFileSync(existing, 'x')

const codeOf = (fn) => {
  try {
    fn()
    return 'ok'
  } catch (e) {
    return e.code
  }
}

const policy = new Policy({
  default_action: 'allow',
  rules: [
    {
      action: 'errno:EPERM',
      syscalls: ['openat'],
      args: [{ index: 2, op: 'masked_eq', mask: BigInt(O_CREAT), value: '0x' + O_CREAT.toString(16) }],
    },
    {
      action: 'errno:EPERM',
      syscalls: ['open'],
      args: [{ index: 1, op: 'masked_eq', mask: O_CREAT, value: O_CREAT }],
    },
  ],
})
const before = codeOf(() => fs.writeFileSync(path.join(dir, 'before'), 'x'))
applyPolicy(policy)
const after = {
  create: codeOf(() => fs.writeFileSync(path.join(dir, 'after'), 'x')),
  read: codeOf(() => fs.readFileSync(existing)),
  openExisting: codeOf(() => fs.closeSync(fs.openSync(existing, 'r+'))),
}
report({ before, after })
