// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Loads the precompiled filter whose bytes are argv[2] (base64; argv[3] 'raw' for raw BPF), then
// tries to run a program and reports what happened.

const { report, tryExec } = require('./common')
const { Filter } = require('sysfence')

const buf = Buffer.from(process.argv[2], 'base64')
const filter = process.argv[3] === 'raw' ? Filter.fromRawBpf(buf, undefined, 1) : Filter.fromBuffer(buf)
const before = tryExec()
filter.load()
report({ before, after: tryExec() })
