// SPDX-License-Identifier: MIT OR Apache-2.0
// The package from an ES module: named imports, the default import, and a child that applies
// no-exec through `import`.

import test from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import sysfence, { applyPolicy, checkPolicy, compilePolicy, Filter, Policy, status } from 'sysfence'
import helpers from './helpers.js'

const here = path.dirname(fileURLToPath(import.meta.url))

test('named and default imports are the same functions', () => {
  assert.equal(typeof applyPolicy, 'function')
  assert.equal(sysfence.applyPolicy, applyPolicy)
  assert.equal(sysfence.Policy, Policy)
  assert.ok(compilePolicy('no-exec') instanceof Filter)
  assert.equal(checkPolicy('no-exec').ok, true)
  assert.equal(typeof status().noNewPrivs, 'boolean')
})

test('errors keep their code through ESM', () => {
  assert.throws(() => Policy.fromJson('['), { code: 'ERR_SYSFENCE_POLICY', path: '$' })
})

test('import { applyPolicy } from "sysfence" applies no-exec in a child', async () => {
  const r = helpers.onlyMessage(await helpers.runScript(path.join(here, 'children', 'esm-apply.mjs')))
  assert.equal(r.before, 0)
  assert.equal(r.after, 'EACCES')
  assert.equal(r.result.mode, 'enforce')
  assert.equal(r.status.mode, 'filter')
})
