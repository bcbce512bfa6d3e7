import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogTime } from '../src/util/log.js';

test('log time in ctime and ISO 8601 forms', () => {
  const d = new Date(2026, 10, 28, 16, 4, 2);
  assert.equal(formatLogTime(d, false), 'Sat Nov 28 16:04:02 2026');
  assert.equal(formatLogTime(new Date(Date.UTC(2026, 10, 28, 16, 4, 2)), true), '2026-11-28T16:04:02+0000');
});
