import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePriority, priorityName, Priority } from '../src/engine/priority.js';

test('priorities parse in any case, with info as Informational', () => {
  assert.equal(parsePriority('WARNING'), Priority.Warning);
  assert.equal(parsePriority('info'), Priority.Informational);
  assert.equal(parsePriority('Informational'), Priority.Informational);
  assert.equal(parsePriority('eMeRgEnCy'), Priority.Emergency);
  assert.equal(parsePriority('warn'), undefined);
  assert.equal(priorityName(Priority.Informational), 'Informational');
});
