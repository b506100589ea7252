// SPDX-License-Identifier: MIT OR Apache-2.0
// The ES module way in: a named import, then no-exec applies.
import { applyPolicy, status } from 'sysfence'
import { spawnSync } from 'node:child_process'

const before = spawnSync('/bin/true').status
const result = applyPolicy('no-exec')
const r = spawnSync('/bin/true')
process.send({ before, result, after: r.error ? r.error.code : r.status, status: status() }, () =>
  process.disconnect(),
)
