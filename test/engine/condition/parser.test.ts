import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  astToString,
  ConditionSyntaxError,
  parseCondition,
  type Ast,
  type BinaryCheckNode,
  type ListNode,
} from '../../../src/engine/condition/index.js';
import { parseOperandPrefix } from '../../../src/engine/condition/parser.js';
import { corpusOrSkip } from '../../helpers/corpus.js';

const str = (text: string): string => astToString(parseCondition(text));

function syntaxError(text: string): ConditionSyntaxError {
  try {
    parseCondition(text);
  } catch (e) {
    assert.ok(e instanceof ConditionSyntaxError, `expected a syntax error, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(text)} not to parse`);
}

function binary(text: string): BinaryCheckNode {
  const ast = parseCondition(text);
  assert.equal(ast.kind, 'binary');
  return ast as BinaryCheckNode;
}

test('precedence: not binds tighter than and, and tighter than or', () => {
  assert.equal(str('a or b and c'), '(a or (b and c))');
  assert.equal(str('a and b or c and d'), '((a and b) or (c and d))');
  assert.equal(str('not a and b'), '(not a and b)');
  assert.equal(str('not (a or b) and c'), '(not (a or b) and c)');
  assert.equal(str('a and (b or c)'), '(a and (b or c))');
  assert.equal(str('((((a))))'), 'a');
  assert.equal(str('a and b and c'), '(a and b and c)');
});

test('each not toggles negation; not( needs no blank', () => {
  assert.equal(str('not not proc.name=x'), 'proc.name = x');
  assert.equal(str('not not not x'), 'not x');
  assert.equal(str('not(a)'), 'not a');
  assert.equal(str('not not(a)'), 'a');
  // A word starting with "not" is an identifier.
  assert.equal(str('notice and nothing'), '(notice and nothing)');
  assert.equal(str('a and(b)'), '(a and b)');
  assert.equal(str('a or(b)'), '(a or b)');
});

test('every operator parses, with the spellings libsinsp accepts', () => {
  for (const op of ['=', '==', '!=', '<', '<=', '>', '>=']) {
    const b = binary(`evt.num ${op} 3`);
    assert.equal(b.operator, op);
    assert.deepEqual(b.right, { kind: 'value', pos: { offset: 9 + op.length, line: 1, column: 10 + op.length }, value: '3', quoted: false });
  }
  for (const op of ['contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob', 'iglob', 'regex']) {
    assert.equal(binary(`fd.name ${op} abc`).operator, op);
  }
  for (const op of ['in', 'intersects', 'pmatch']) {
    const b = binary(`fd.name ${op} (a, b)`);
    assert.equal(b.operator, op);
    assert.equal(b.right.kind, 'list');
  }
  const u = parseCondition('proc.name exists');
  assert.equal(u.kind, 'unary');
  // Symbols need no blanks; `in` needs none either.
  assert.equal(str('proc.name=bash'), 'proc.name = bash');
  assert.equal(str('proc.name!=bash'), 'proc.name != bash');
  assert.equal(str('proc.pid>=10'), 'proc.pid >= 10');
  assert.equal(str('proc.name in(a,b)'), 'proc.name in (a, b)');
  // A word operator needs a blank after it.
  assert.equal(syntaxError('fd.name contains(a)').message.startsWith('expected a valid check operator'), true);
});

test('operator modifiers oneof/anyof/allof take a list or a list name', () => {
  const b = binary('fd.name startswith oneof (/etc, /usr)');
  assert.equal(b.operator, 'startswith');
  assert.equal(b.modifier, 'oneof');
  assert.deepEqual((b.right as ListNode).items.map((i) => i.value), ['/etc', '/usr']);
  assert.equal(binary('proc.name = anyof (a, b)').modifier, 'anyof');
  assert.equal(binary('proc.name != allof my_list').modifier, 'allof');
  assert.equal(binary('proc.name regex allof (a.*, .*b)').modifier, 'allof');
  // Without a blank before it, or without a list after it, the word is a plain value.
  assert.deepEqual(str('proc.name = anyof'), 'proc.name = anyof');
  assert.deepEqual(str('proc.name = anyof and x'), '(proc.name = anyof and x)');
  assert.deepEqual(str('proc.name contains oneof'), 'proc.name contains oneof');
  assert.equal(binary('proc.name = oneof').modifier, undefined);
  // Modifiers exist only after string operators.
  assert.match(syntaxError('proc.name in anyof (a)').message, /^unexpected token after 'anyof'/);
  assert.match(syntaxError('proc.pid > anyof (1)').message, /^expected a number value/);
});

test('field arguments: indexes, keys with punctuation, quoted keys, evt.arg.NAME', () => {
  assert.deepEqual(parseCondition('proc.aname[2] = bash'), {
    kind: 'binary',
    pos: { offset: 0, line: 1, column: 1 },
    operator: '=',
    operatorPos: { offset: 14, line: 1, column: 15 },
    left: { kind: 'field', pos: { offset: 0, line: 1, column: 1 }, name: 'proc.aname', arg: '2' },
    right: { kind: 'value', pos: { offset: 16, line: 1, column: 17 }, value: 'bash', quoted: false },
  });
  const key = parseCondition('ka.req.binding.subjects.user_names[system:serviceaccount:kube-system/x.y] exists');
  assert.equal(key.kind === 'unary' && key.left.kind === 'field' && key.left.arg, 'system:serviceaccount:kube-system/x.y');
  const left = (parseCondition('k8s.ns.label[app.kubernetes.io/name] = a') as BinaryCheckNode).left;
  assert.deepEqual(left, { kind: 'field', pos: { offset: 0, line: 1, column: 1 }, name: 'k8s.ns.label', arg: 'app.kubernetes.io/name' });
  assert.equal(astToString(parseCondition('proc.env["MY VAR"] exists')), 'proc.env["MY VAR"] exists');
  assert.equal(astToString(parseCondition("proc.env['HOME'] exists")), 'proc.env[HOME] exists');
  assert.equal(astToString(parseCondition('fd.types[""] exists')), 'fd.types[""] exists');
  const evtArg = (parseCondition('evt.arg.flags contains O_CREAT') as BinaryCheckNode).left;
  assert.deepEqual(evtArg, { kind: 'field', pos: { offset: 0, line: 1, column: 1 }, name: 'evt.arg.flags' });
  // Empty brackets are not an argument in libsinsp.
  assert.equal(syntaxError('fd.types[] exists').message, 'expected a valid field argument: a quoted string or a bare string');
  assert.equal(syntaxError('proc.aname[2 = x').message, "expected a ']' token");
});

test('values: bare words, quoted strings with escapes, numbers, addresses, lists', () => {
  const right = (t: string): unknown => (parseCondition(t) as BinaryCheckNode).right;
  assert.deepEqual(right('fd.name = /usr/bin/a<b>!'), { kind: 'value', pos: { offset: 10, line: 1, column: 11 }, value: '/usr/bin/a<b>!', quoted: false });
  assert.equal((right('fd.sip = ::1') as { value: string }).value, '::1');
  assert.equal((right('fd.net = 10.0.0.0/8') as { value: string }).value, '10.0.0.0/8');
  assert.equal((right('fd.name = "a b\\tc\\\\d\\"e"') as { value: string }).value, 'a b\tc\\d"e');
  assert.equal((right("fd.name = 'it\\'s'") as { value: string }).value, "it's");
  assert.equal((right('fd.name = "\\/x"') as { value: string }).value, '/x');
  // libsinsp keeps `\ ` as a backslash.
  assert.equal((right('fd.name = "a\\ b"') as { value: string }).value, 'a\\b');
  assert.equal((right('evt.num > 0x1F') as { value: string }).value, '0x1F');
  assert.equal((right('evt.num > -12') as { value: string }).value, '-12');
  assert.equal((right('evt.num > 1.5e+3') as { value: string }).value, '1.5e+3');
  const list = right('proc.name in (a, "b c", 3, \'d\')') as ListNode;
  assert.deepEqual(list.items.map((i) => [i.value, i.quoted]), [['a', false], ['b c', true], ['3', false], ['d', true]]);
  assert.deepEqual(list.items.map((i) => i.pos.offset), [14, 17, 24, 27]);
  assert.deepEqual((right('proc.name in ()') as ListNode).items, []);
  assert.deepEqual((right('proc.name in ( )') as ListNode).items, []);
  assert.equal(syntaxError('proc.name in (a, )').message, 'expected a string value');
  assert.equal(syntaxError('proc.name in (a b)').message, "expected a ')' token");
  // Quote-kind escapes are errors in the other kind of quotes.
  assert.equal(syntaxError("fd.name = 'a\\\"b'").message, 'invalid \\" escape in \'-quoted string');
  assert.equal(syntaxError('fd.name = "a\\\'b"').message, 'invalid \\\' escape in "-quoted string');
  assert.equal(syntaxError('fd.name = "a\\qb"').message, 'unsupported string escape sequence: \\q');
  // A backslash before the closing quote keeps the string open (libsinsp).
  assert.match(syntaxError('fd.name = "a\\\\"').message, /^expected a string value/);
  // Numeric operators take numbers only.
  assert.match(syntaxError('proc.name > abc').message, /^expected a number value or a field with a valid transformer: 'val', 'tolower'/);
});

test('transformers: nested, val(), lists, arguments, on either side', () => {
  assert.equal(str('tolower(toupper(proc.name)) = bash'), 'tolower(toupper(proc.name)) = bash');
  assert.equal(str('proc.name = val(proc.pname)'), 'proc.name = val(proc.pname)');
  assert.equal(str('tolower(proc.name) = tolower(proc.pname)'), 'tolower(proc.name) = tolower(proc.pname)');
  assert.equal(str('len(proc.args) > 3'), 'len(proc.args) > 3');
  assert.equal(str('proc.pid > val(proc.ppid)'), 'proc.pid > val(proc.ppid)');
  assert.equal(str('concat( proc.name , "-" , 5 ) = a'), 'concat(proc.name,-,5) = a');
  assert.equal(str('join(",", (proc.name, "x", 3)) = a'), 'join(,,(proc.name,x,3)) = a');
  const g = binary('getopt(proc.args, "t:")[t] = foo').left;
  assert.equal(g.kind, 'transformer');
  assert.equal(g.kind === 'transformer' && g.arg, 't');
  assert.equal(str('proc.name in val(proc.aname)'), 'proc.name in val(proc.aname)');
  assert.equal(syntaxError('proc.name = val(tolower(x.y))').message, "expected a field within 'val' transformer");
  assert.equal(syntaxError('tolower(proc.name = x').message, "expected a ')' token closing the transformer");
  assert.equal(
    syntaxError('tolower(abc) = x').message,
    'expected field transformer argument: field, transformer, quoted string, number, or transformer list',
  );
  // val() is only a right-hand side; on the left it is a (macro) identifier followed by junk.
  assert.equal(syntaxError('val(proc.name) = x').message, "unexpected token after 'val', expecting 'or', 'and'");
});

test('syntax errors carry libsinsp messages and positions', () => {
  const e1 = syntaxError('evt.type=execve foo');
  assert.equal(e1.message, "unexpected token after 'execve', expecting 'or', 'and'");
  assert.deepEqual(e1.pos, { offset: 16, line: 1, column: 17 });
  assert.equal(syntaxError('').message, 'filter input string is empty');
  assert.equal(syntaxError('   ').message, "expected a '(' token, a field check, or an identifier");
  assert.equal(syntaxError('a orx').message, "expected blank or '(' after 'or'");
  assert.equal(syntaxError('a and').message, "expected blank or '(' after 'and'");
  assert.equal(syntaxError('(a and b').message, "expected a ')' token");
  // libsinsp does not accept `or(` followed by `and` at the same level.
  assert.equal(syntaxError('a or(b) and c').message, "unexpected token after ')', expecting 'or', 'and'");
  assert.equal(
    syntaxError('proc.name bash').message,
    "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', " +
      "'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'",
  );
  const multi = syntaxError('evt.type = open and\n  proc.name = bash\r\n  junk');
  // As in libsinsp, CR and LF each start a line: CRLF counts two.
  assert.deepEqual(multi.pos, { offset: 42, line: 4, column: 3 });
  assert.equal(multi.describe(), "unexpected token after 'bash', expecting 'or', 'and' (line 4, column 3)");
});

test('nesting beyond the depth limit is a clear error, not a stack overflow', () => {
  const deep = '('.repeat(5000) + 'a' + ')'.repeat(5000);
  assert.equal(syntaxError(deep).message, 'exceeded max depth limit of 1000');
  const nots = 'not ('.repeat(3000) + 'a' + ')'.repeat(3000);
  assert.equal(syntaxError(nots).message, 'exceeded max depth limit of 1000');
  assert.throws(() => parseCondition('((((a))))', { maxDepth: 10 }), /exceeded max depth limit of 10/);
  assert.equal(str('('.repeat(150) + 'a' + ')'.repeat(150)), 'a');
  // `not not not ...` is a loop in libsinsp, not recursion.
  assert.equal(str('not '.repeat(10001) + 'a'), 'not a');
});

test('output-format operands: the longest field or transformer at the start of a text', () => {
  assert.deepEqual(parseOperandPrefix('proc.name) rest').length, 9);
  assert.deepEqual(parseOperandPrefix('proc.aname[2]:x').length, 13);
  assert.deepEqual(parseOperandPrefix('tolower(proc.name) x').length, 18);
  assert.throws(() => parseOperandPrefix('notafield x'), /unexpected token after '/);
});

interface RuleItem {
  rule?: string;
  macro?: string;
  condition?: unknown;
}

test('every condition of the upstream rules files parses', (t) => {
  const corpus = corpusOrSkip(t);
  if (corpus === undefined) return;
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(f)) files.push(p);
    }
  };
  walk(path.join(corpus, 'upstream-rules'));
  assert.ok(files.length >= 4);
  let count = 0;
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const items = doc.toJS() as RuleItem[] | null;
      if (!Array.isArray(items)) continue;
      for (const item of items) {
        if (typeof item.condition !== 'string') continue;
        count++;
        let ast: Ast | undefined;
        try {
          ast = parseCondition(item.condition);
        } catch (e) {
          assert.fail(`${path.basename(file)} ${item.rule ?? item.macro}: ${String(e)}`);
        }
        assert.ok(ast.kind.length > 0);
      }
    }
  }
  assert.ok(count > 500, `only ${count} conditions found`);
});
