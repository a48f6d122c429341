import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fillPlaceholders } from '../src/template.js'

test('fills known placeholders and leaves others alone', () => {
  const values = { projectName: 'my-app', run: 'pnpm run' }
  assert.equal(fillPlaceholders('# {{projectName}}\n`{{run}} start`, {{run}} enqueue', values), '# my-app\n`pnpm run start`, pnpm run enqueue')
  assert.equal(fillPlaceholders('{{other}} {{ projectName }} {projectName}', values), '{{other}} {{ projectName }} {projectName}')
  assert.equal(fillPlaceholders('${{ secrets.TOKEN }}', values), '${{ secrets.TOKEN }}')
})
