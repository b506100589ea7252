// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Compiles the policy in argv[2], reports what the simulator predicts for getppid, loads the
// filter, then reads process.ppid (a getppid call) and reports what happened.

const { report } = require('./common')
const { compilePolicy } = require('sysfence')

const filter = compilePolicy(JSON.parse(process.argv[2]))
process.send({ predicted: filter.simulate('getppid') })
filter.load()
report({ ppid: process.ppid, realParent: Number(process.argv[3]) })
