#!/usr/bin/env python3
"""Checks that what the documentation cites exists in the tree.

  check_docs.py ROOT [DOC ...]

DOCs default to the documentation set (README.md, CONTRIBUTING.md, SECURITY.md,
benchmarks/README.md, docs/*.md, CHANGELOG.md). A DOC may lie outside ROOT (the planted-reference
test checks copies); its links are then resolved as if it were at the path given by
DOC_AS=relative/path in the environment. For each doc, outside fenced code blocks:

  links      a relative Markdown link names a tracked file or directory, and its #anchor a
             heading of the target page;
  paths      a code span that is a path (it starts with a top-level entry of the tree, or ends in
             a source extension) names a tracked file or directory; a path with no top-level
             entry may be a suffix (`Core/Token.swift`) or a bare file name (`shim.c`);
  symbols    HostSec_*, IHost*, IID_*, CLSID_* and Dll* names, and Interface::Method pairs, are
             declared in include/hostsec.h; HOSTSEC_* names are in the header or in the code
             (environment variables);
  tests      in a table column headed "test", each name is found in Tests/, examples/ or fuzz/
             (literally, or by a printf pattern such as "impersonating_%s_and_reverting_is_exact");
             elsewhere, a long snake_case or camelCase name is found in the code.

CHANGELOG.md is history: only its links are checked. Prints one line per bad reference,
"FILE:LINE: KIND `TOKEN`: why", and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

SOURCE_EXT = ('.c', '.h', '.cpp', '.hpp', '.swift', '.sh', '.py', '.md', '.map', '.supp', '.docc',
              '.modulemap')
HISTORY = {'CHANGELOG.md'}
# Files the docs name that belong to other projects.
ELSEWHERE = {'mscoree.h'}


def tracked(root):
    out = subprocess.run(['git', '-C', root, 'ls-files', '-co', '--exclude-standard'],
                         capture_output=True, text=True, check=True).stdout.split('\n')
    files = {f for f in out if f and os.path.exists(os.path.join(root, f))}
    dirs = set()
    for f in files:
        parts = f.split('/')
        for i in range(1, len(parts)):
            dirs.add('/'.join(parts[:i]))
    return files, dirs


def read(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read()


def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r'[`*_]', lambda m: '_' if m.group(0) == '_' else '', heading.strip().lower())
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


def anchors(text):
    found, seen = set(), {}
    for line in strip_fences(text).split('\n'):
        m = re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', line)
        if not m:
            continue
        s = slug(m.group(1))
        n = seen.get(s, 0)
        seen[s] = n + 1
        found.add(s if n == 0 else f'{s}-{n}')
    return found


def strip_fences(text):
    out, fenced = [], False
    for line in text.split('\n'):
        if re.match(r'^\s*(```|~~~)', line):
            fenced = not fenced
            out.append('')
        else:
            out.append('' if fenced else line)
    return '\n'.join(out)


def brace_expand(s):
    m = re.search(r'\{([^{}]*)\}', s)
    if not m:
        return [s]
    return [x for alt in m.group(1).split(',') for x in brace_expand(s[:m.start()] + alt + s[m.end():])]


class Checker:
    def __init__(self, root):
        self.root = root
        self.files, self.dirs = tracked(root)
        self.top = {p.split('/')[0] for p in self.files}
        self.basenames = {os.path.basename(f) for f in self.files}
        self.stems = {os.path.splitext(os.path.basename(f))[0] for f in self.files}
        header = read(os.path.join(root, 'include/hostsec.h'))
        self.header_words = set(re.findall(r'\w+', header))
        # The docs test itself holds the planted names: it never vouches for a name.
        code = [f for f in self.files if not f.endswith(('.md', '.png'))
                and f not in ('Tests/sh/test-docs.sh', 'Tests/tools/check_docs.py')]
        self.code_words = self._words(code)
        test_files = [f for f in code if f.split('/')[0] in ('Tests', 'examples', 'fuzz')]
        self.test_words = self._words(test_files)
        self.test_patterns = []
        for f in test_files:
            for lit in re.findall(r'"([A-Za-z0-9_]*%s[A-Za-z0-9_%]*)"', read(os.path.join(root, f))):
                fixed = lit.replace('%s', '')
                if len(fixed) < 12 or '_' not in fixed:  # "%s", "%s_%s": formats, not test names
                    continue
                parts = [re.escape(p) for p in lit.split('%s')]
                self.test_patterns.append(re.compile('^' + '[A-Za-z0-9_]+'.join(parts) + '$'))
        self.problems = []

    def _words(self, files):
        words = set()
        for f in files:
            try:
                words.update(re.findall(r'[A-Za-z_][\w-]*|\w+', read(os.path.join(self.root, f))))
            except (IsADirectoryError, FileNotFoundError):
                pass
        # names with hyphens also count split at the hyphens (shell words, file stems)
        return words | {w for word in list(words) for w in word.split('-')}

    def bad(self, where, kind, token, why):
        self.problems.append(f'{where}: {kind} `{token}`: {why}')

    # --- one kind of reference each -------------------------------------------------------

    def path_exists(self, p):
        p = p.rstrip('/')
        if p in ELSEWHERE:
            return True
        if p in self.files or p in self.dirs:
            return True
        if p.split('/')[0] not in self.top:
            if '/' not in p:
                return p in self.basenames
            return any(f == p or f.endswith('/' + p) for f in self.files | self.dirs)
        return False

    def looks_like_path(self, s):
        if not re.fullmatch(r'[\w.{},/+-]+', s) or s.startswith(('/', './', '../', '.build', '$', '~')):
            return False
        first = s.split('/')[0]
        if first in self.top and (('/' in s) or s in self.files or s in self.dirs):
            return True
        return s.rstrip('/').endswith(SOURCE_EXT)

    def check_path(self, where, s):
        for p in brace_expand(s):
            if not self.path_exists(p):
                self.bad(where, 'path', s, 'no such file or directory in the tree')
                return

    def check_symbols(self, where, s):
        for m in re.finditer(r'\b(I[A-Z]\w*)::(\w+)', s):
            iface, method = m.groups()
            if iface in self.header_words and method not in self.header_words:
                self.bad(where, 'symbol', m.group(0), 'no such method in include/hostsec.h')
        for name in re.findall(r'\b(?:HostSec_\w+|IHost\w+|IID_\w+|CLSID_\w+|Dll[A-Z]\w+)\b', s):
            if name not in self.header_words:
                self.bad(where, 'symbol', name, 'not declared in include/hostsec.h')
        for name in re.findall(r'\bHOSTSEC_[A-Z0-9_]+\b', s):
            if name not in self.header_words and name not in self.code_words:
                self.bad(where, 'symbol', name, 'neither in include/hostsec.h nor in the code')

    def test_found(self, name):
        if '*' in name:
            rx = re.compile('^' + re.escape(name).replace(r'\*', r'\w*') + '$')
            return any(rx.match(w) for w in self.test_words)
        return (name in self.test_words or name in self.stems
                or any(p.match(name) for p in self.test_patterns))

    def check_test(self, where, name):
        if not self.test_found(name):
            self.bad(where, 'test', name, 'no test of that name in Tests/, examples/ or fuzz/')

    def check_test_cell(self, where, cell):
        for span in re.findall(r'`([^`]+)`', cell):
            m = re.fullmatch(r'([\w./-]+): ([\w*, ]+)', span)
            if m:
                self.check_path(where, m.group(1))
                for name in re.split(r',\s*', m.group(2)):
                    if name:
                        self.check_test(where, name)
            elif re.fullmatch(r'[A-Za-z_*][\w*]*', span) and not re.fullmatch(r'[A-Z0-9_]+', span):
                self.check_test(where, span)
            elif re.fullmatch(r'[a-z0-9]+(-[a-z0-9]+)+', span):
                self.check_test(where, span)

    def check_prose_name(self, where, span):
        snake = re.fullmatch(r'[a-z][a-z0-9]*(_[a-z0-9]+){3,}', span)
        camel = re.fullmatch(r'[a-z]+([A-Z][a-z0-9]+){3,}', span)
        if (snake or camel) and span not in self.code_words and not self.test_found(span):
            self.bad(where, 'name', span, 'not found in the code or the tests')

    def check_link(self, where, doc_as, target, anchor_cache):
        if re.match(r'^[a-z]+:', target) or target.startswith('//'):
            return
        path, _, anchor = target.partition('#')
        base = os.path.dirname(doc_as)
        rel = os.path.normpath(os.path.join(base, path)) if path else doc_as
        if path and not (rel in self.files or rel in self.dirs):
            self.bad(where, 'link', target, 'no such file or directory in the tree')
            return
        if anchor:
            if rel not in anchor_cache:
                full = os.path.join(self.root, rel)
                anchor_cache[rel] = anchors(read(full)) if os.path.isfile(full) else set()
            if anchor not in anchor_cache[rel]:
                self.bad(where, 'link', target, f'no heading with that anchor in {rel}')

    # --- a whole document -------------------------------------------------------------------

    def check_doc(self, path, doc_as, anchor_cache):
        text = read(path)
        if doc_as == os.path.relpath(path, self.root):
            anchor_cache.setdefault(doc_as, anchors(text))
        else:
            anchor_cache[doc_as] = anchors(text)
        history = doc_as in HISTORY
        lines = strip_fences(text).split('\n')
        test_columns = None
        for i, line in enumerate(lines, 1):
            where = f'{doc_as}:{i}'
            for target in re.findall(r'\]\(([^)\s]+)\)', re.sub(r'`[^`]*`', '', line)):
                self.check_link(where, doc_as, target, anchor_cache)
            if history:
                continue
            cells = None
            if line.lstrip().startswith('|'):
                cells = [c.strip() for c in re.split(r'(?<!\\)\|', line.strip().strip('|'))]
                nxt = lines[i] if i < len(lines) else ''
                if re.match(r'^\s*\|[\s:|-]+\|\s*$', nxt):
                    test_columns = {k for k, c in enumerate(cells) if re.match(r'tests?\b', c, re.I)}
                    continue
                if re.match(r'^\s*\|[\s:|-]+\|\s*$', line):
                    continue
            else:
                test_columns = None
            in_test_cell = set()
            if cells is not None and test_columns:
                for k in test_columns:
                    if k < len(cells):
                        self.check_test_cell(where, cells[k])
                        in_test_cell.update(re.findall(r'`([^`]+)`', cells[k]))
            for span in re.findall(r'`([^`]+)`', line):
                span = span.replace('\\|', '|')
                if self.looks_like_path(span):
                    self.check_path(where, span)
                self.check_symbols(where, span)
                if span not in in_test_cell:
                    self.check_prose_name(where, span)


DEFAULT_DOCS = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'benchmarks/README.md', 'CHANGELOG.md']


def main():
    root = os.path.abspath(sys.argv[1])
    checker = Checker(root)
    docs = sys.argv[2:]
    if not docs:
        docs = [d for d in DEFAULT_DOCS if os.path.exists(os.path.join(root, d))]
        docs += sorted('docs/' + f for f in os.listdir(os.path.join(root, 'docs')) if f.endswith('.md'))
        docs = [os.path.join(root, d) for d in docs]
    cache = {}
    for doc in docs:
        doc_as = os.environ.get('DOC_AS') or os.path.relpath(os.path.abspath(doc), root)
        checker.check_doc(doc, doc_as, cache)
    for p in checker.problems:
        print(p)
    return 1 if checker.problems else 0


if __name__ == '__main__':
    sys.exit(main())
