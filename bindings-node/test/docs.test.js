// SPDX-License-Identifier: MIT OR Apache-2.0
'use strict'
// Every ```js block of docs/node.md runs, as written, in its own child process against
// the installed package. A block that fails makes this test fail.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { repoRoot, runScript } = require('./helpers')

const doc = fs.readFileSync(path.join(repoRoot(), 'docs', 'node.md'), 'utf8')
const blocks = [...doc.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => ({
  code: m[1],
  // A block with `import ... from` is an ES module.
  esm: /^import .* from /m.test(m[1]),
  line: doc.slice(0, m.index).split('\n').length,
}))
// The examples are written next to node_modules, so `require('sysfence')` finds the package.
const scratch = path.resolve(__dirname, '..')

test("the package README links the guide and the policy format in the package's repository", () => {
  // As installed from the packed tarball: what npm users see.
  const installed = path.dirname(require.resolve('sysfence/package.json'))
  const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'))
  const readme = fs.readFileSync(path.join(installed, 'README.md'), 'utf8')
  const repo = pkg.repository.url.replace(/\.git$/, '')
  for (const page of ['docs/node.md', 'docs/policy.md']) {
    assert.ok(readme.includes(`](${repo}/blob/main/${page})`), `no link to ${page}`)
    assert.ok(fs.existsSync(path.join(repoRoot(), page)), page)
  }
})

test('docs/node.md has examples', () => {
  assert.ok(blocks.length >= 5, `only ${blocks.length} js blocks`)
})

for (const block of blocks) {
  test(`docs/node.md line ${block.line}`, async () => {
    const file = path.join(scratch, `docs-example-${block.line}.${block.esm ? 'mjs' : 'js'}`)
    fs.writeFileSync(file, block.code)
    try {
      const r = await runScript(file, [], { cwd: scratch })
      assert.equal(r.signal, null, r.stderr)
      assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`)
    } finally {
      fs.rmSync(file)
    }
  })
}
