import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvExpansionError, expandEnv } from '../../src/cli/config/env.js';
import { OriginTable } from '../../src/cli/config/document.js';
import { parseConfigYaml } from '../../src/cli/config/yaml-source.js';

const env = { DIR: '/opt/site', EMPTY: '', NESTED: '${DIR}/nested', PORT: '9000', FLAG: 'true', LOOP: '${LOOP}x' };

test('${NAME} is replaced anywhere in a value, unset names by nothing', () => {
  assert.equal(expandEnv('${DIR}', env), '/opt/site');
  assert.equal(expandEnv('lib: ${DIR}/lib.so', env), 'lib: /opt/site/lib.so');
  assert.equal(expandEnv('/${DIR}/${DIR}${DIR}/x', env), '//opt/site//opt/site/opt/site/x');
  assert.equal(expandEnv(' ${DIR} ', env), ' /opt/site ');
  assert.equal(expandEnv('a${NOT_SET_ANYWHERE}b', env), 'ab');
  assert.equal(expandEnv('${EMPTY}', env), '');
  assert.equal(expandEnv('${}', env), '');
});

test('a replaced value is scanned again (a variable may refer to another)', () => {
  assert.equal(expandEnv('${NESTED}/more', env), '/opt/site/nested/more');
});

test('$${...} keeps a literal ${...}', () => {
  assert.equal(expandEnv('$${DIR}', env), '${DIR}');
  assert.equal(expandEnv('$${DIR}$${DIR}', env), '${DIR}${DIR}');
  assert.equal(expandEnv('$${DIR}${DIR}', env), '${DIR}/opt/site');
  assert.equal(expandEnv('$${${DIR}}', env), '${/opt/site}');
});

test('$NAME is not a reference, and a stray $ ends expansion of the rest (Falco)', () => {
  assert.equal(expandEnv('$DIR', env), '$DIR');
  assert.equal(expandEnv('$DIR/x', env), '$DIR/x');
  assert.equal(expandEnv('$$DIR', env), '$$DIR');
  assert.equal(expandEnv('cost $5 at ${DIR}', env), 'cost $5 at ${DIR}');
  assert.equal(expandEnv('${DIR} then $5 then ${DIR}', env), '/opt/site then $5 then ${DIR}');
});

test('an unterminated ${ leaves the rest untouched', () => {
  assert.equal(expandEnv('${DIR}/${DIR', env), '/opt/site/${DIR');
  assert.equal(expandEnv('$${DIR', env), '$${DIR');
});

test('a self-referencing variable is an error instead of a hang', () => {
  assert.throws(() => expandEnv('${LOOP}', env), EnvExpansionError);
});

test('expanded plain scalars are typed like YAML values; quoted ones stay strings', () => {
  const yaml = 'port: ${PORT}\nflag: ${FLAG}\nquoted: "${PORT}"\npath: ${DIR}/x\nempty: ${EMPTY}\nliteral: $${PORT}\n';
  const value = parseConfigYaml(yaml, 'test.yaml', new OriginTable(), { expandEnv: true, env });
  assert.deepEqual(value, { port: 9000, flag: true, quoted: '9000', path: '/opt/site/x', empty: '', literal: '${PORT}' });
});

test('expansion is off for -o values', () => {
  const value = parseConfigYaml('{a: "${DIR}"}', "-o 'x={...}'", new OriginTable(), { expandEnv: false, env });
  assert.deepEqual(value, { a: '${DIR}' });
});
