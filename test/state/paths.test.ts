// Path joining and string sanitizing with libsinsp's semantics (sinsp_utils::concatenate_paths,
// sanitize_string): the cases below are the behaviours its own unit tests pin down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatenatePaths, removeDuplicateSeparators, sanitizeString } from '../../src/state/paths.js';

test('concatenatePaths: relative paths are appended to the directory as given (no "/" added)', () => {
  const cases: [string, string, string][] = [
    ['', '', ''],
    ['/', 'dir/term', '/dir/term'],
    ['app/', 'custom/term', 'app/custom/term'],
    ['./app', 'custom/term', './appcustom/term'],
    ['/app', 'custom/term', '/appcustom/term'],
    ['app', 'custom/term', 'appcustom/term'],
    ['a', '../', 'a..'],
    // the directory is copied as it is
    ['app/////', 'custom/term', 'app/////custom/term'],
    ['', 'dir/term', 'dir/term'],
    ['', './dir/term', 'dir/term'],
  ];
  for (const [dir, path, want] of cases) assert.equal(concatenatePaths(dir, path), want, `${dir} + ${path}`);
});

test('concatenatePaths: "." and ".." resolve lexically, a ".." may climb into the directory', () => {
  const cases: [string, string, string][] = [
    ['', '../', ''],
    ['', '..', ''],
    ['/', '../', '/'],
    ['a/', '..', ''],
    ['foo/', '..//a', 'a'],
    ['/foo/', '..//a', '/a'],
    ['heolo', 'w////////////..//////.////////r.|', 'r.|'],
    ['../.../', 'dir/././././../../.../term/', '../.../term'],
  ];
  for (const [dir, path, want] of cases) assert.equal(concatenatePaths(dir, path), want, `${dir} + ${path}`);
});

test('concatenatePaths: absolute paths stand alone, cleaned of repeated and trailing separators', () => {
  const cases: [string, string, string][] = [
    ['', '/foo', '/foo'],
    ['', '//dir/term', '/dir/term'],
    ['', '///dir/term', '/dir/term'],
    ['/', '//dir//////term', '/dir/term'],
    ['/', '/dir/term', '/dir/term'],
    ['../.../', '/app/custom/dir/././././../../.../term/', '/app/.../term'],
    ['../.../', '/app/custom/dir/././././../../term/', '/app/term'],
    ['/', '////app', '/app'],
  ];
  for (const [dir, path, want] of cases) assert.equal(concatenatePaths(dir, path), want, `${dir} + ${path}`);
});

test('concatenatePaths: paths longer than the kernel limit give the placeholder', () => {
  assert.equal(concatenatePaths('C'.repeat(1500), 'D'.repeat(3000)), '/DIR_TOO_LONG/FILENAME_TOO_LONG');
  assert.equal(concatenatePaths('/', 'x'.repeat(100)), '/' + 'x'.repeat(100));
});

test('concatenatePaths: unprintable characters in the relative part become U+FFFD', () => {
  assert.equal(concatenatePaths('/root/', '../a\u0001\u001fb/test'), '/a\uFFFD\uFFFDb/test');
  assert.equal(concatenatePaths('/root/', '../\u0085/test'), '/\uFFFD/test');
  assert.equal(concatenatePaths('/root/', '../é/test'), '/é/test');
});

test('sanitizeString: controls, C1, non-characters and lone surrogates are replaced; text is kept', () => {
  assert.equal(sanitizeString('plain /etc/passwd'), 'plain /etc/passwd');
  assert.equal(sanitizeString('a\nb\tc\u007f'), 'a\uFFFDb\uFFFDc\uFFFD');
  assert.equal(sanitizeString('x\u009fy'), 'x\uFFFDy');
  assert.equal(sanitizeString('\uFDD0\uFFFE\uFFFF'), '\uFFFD\uFFFD\uFFFD');
  assert.equal(sanitizeString('\uD800z'), '\uFFFDz');
  assert.equal(sanitizeString('emoji \u{1F600} ok'), 'emoji \u{1F600} ok');
  assert.equal(sanitizeString('日本語'), '日本語');
});

test('removeDuplicateSeparators collapses runs of "/"', () => {
  assert.equal(removeDuplicateSeparators('//a///b/c//'), '/a/b/c/');
  assert.equal(removeDuplicateSeparators('/a/b'), '/a/b');
});
