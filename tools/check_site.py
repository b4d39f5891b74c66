#!/usr/bin/env python3
"""The course site as a reader sees it.

    tools/check_site.py [--screenshots DIR] [--no-browser] [--all] SITE_HTML_DIR...

For each site folder (build/reference/docs/student/html, .../instructor/html):

1. Every page, read as HTML (no browser): every internal link (href, src, data) resolves to
   a file inside the site and, with a #fragment, to an id or name in that page; so does every
   link of the tree view (the "page.html#anchor" strings of its navtree*.js data). Every
   figure has alt text: an <img> in the prose (Doxygen's <div class="image"> of \\image, its
   <div class="dotgraph"> of \\dotfile, any <div class="textblock">) a non-empty alt, an
   <object> or <iframe> (how Doxygen shows an SVG and a dot graph) an aria-label,
   aria-labelledby or title. Doxygen's own interface images (the footer's logo, the tree
   view's buttons, the member lists' arrows) need only some alt or title.
2. In headless Chromium (Debian's `chromium`, driven over the DevTools protocol on a pipe):
   the front page, every chapter page (every page Doxygen marks PageDoc: the chapters, the
   appendices, the closing page) and every other page with a formula or a figure is opened
   from file://, as a reader opens the site. It must load with no script error, no console
   error and no file that fails to load; MathJax must finish and typeset every formula, with
   no error box and no TeX delimiter left in the text; every image on it must decode, and
   every figure must have a name in the accessibility tree (what a screen reader announces).
   Every image file any page shows is decoded once too. A full-length screenshot of each
   chapter page goes to DIR/SITE/PAGE.png (DIR: --screenshots; default: docs/screenshots/
   beside the sites' folders; SITE: student or instructor, the folder above html/).

Prints a summary with counts; on any problem, lists each (page, what, where) and exits 1.
Exits 77 (a skip, for ctest) when chromium is not installed, after the checks that need no
browser (which still fail the run if they find a problem). Python 3's standard library only.
"""

import argparse
import base64
import collections
import fcntl
import html.parser
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

SKIP = 77
PAGE_TIMEOUT = 90.0  # seconds for one page to load and typeset; ch06 takes a few on 2 busy cores
WIDTH, HEIGHT = 1280, 1000  # the window; a chapter's screenshot is as tall as its page
MAX_SHOT_HEIGHT = 60000  # pixels: a page longer than this is shot down to here (none is, today)
IMAGE_EXTENSIONS = ('.png', '.svg', '.jpg', '.jpeg', '.gif', '.webp')
EXTERNAL_SCHEMES = ('http', 'https', 'mailto', 'ftp')


class Problems:
    """Problems by what they are; each with the places (page:line or page) it was seen."""

    def __init__(self):
        self.places = collections.OrderedDict()

    def add(self, what, where):
        self.places.setdefault(what, []).append(where)

    def __len__(self):
        return sum(len(p) for p in self.places.values())

    def report(self, limit):
        lines = []
        for what, places in self.places.items():
            shown = places if limit is None else places[:limit]
            lines.append(f'  {what}')
            for where in shown:
                lines.append(f'      at {where}')
            if len(places) > len(shown):
                lines.append(f'      ... and {len(places) - len(shown)} more places (--all lists them)')
        return lines


# ---------------------------------------------------------------------------------------------
# 1. The pages as HTML

class Image:
    """An image a page shows: an <img>, or an <object> or <iframe> showing an image file."""

    def __init__(self, line, tag, src, name, figure):
        self.line, self.tag, self.src, self.name, self.figure = line, tag, src, name, figure
        self.caption = ''


def text_alternative(tag, a):
    """An element's name for a screen reader, from its attributes (HTML-AAM): None when it has
    none at all, '' when it is marked as decorative (alt="")."""
    if a.get('aria-labelledby') is not None:
        return a['aria-labelledby'].strip() and f'(labelled by #{a["aria-labelledby"]})'
    if (a.get('aria-label') or '').strip():
        return a['aria-label'].strip()
    if tag == 'img' and a.get('alt') is not None:
        return a['alt'].strip() or a.get('title', '').strip()
    return a.get('title', '').strip() or None


class Page(html.parser.HTMLParser):
    """One page's anchors, links, images and figures, and whether it is a chapter page or
    shows a formula (which then needs the browser).

    A figure is an image in the page's prose: inside Doxygen's <div class="image"> (\\image) or
    <div class="dotgraph"> (\\dotfile), any <img> in a <div class="textblock">, and any <object>
    or <iframe>; it needs a name for a screen reader. Doxygen's own interface images (the
    footer's logo, the tree view's buttons, the member lists' arrows) are not figures; each
    still needs some alt or title."""

    FIGURE_CONTAINERS = {'image', 'dotgraph'}

    def __init__(self, path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.ids = set()
        self.links = []     # (line, tag, attribute, url)
        self.images = []    # Image
        self.chapter = False
        self.divs = []      # the open <div>s' classes
        self.caption = 0    # inside a figure's <div class="caption">
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        self.math = bool(re.search(r'\\\(|\\\[|\\begin\{|class="formulaDsp"', text))
        self.feed(text)
        self.close()

    def inside(self, classes):
        return any(classes & set(c.split()) for c in self.divs)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        line = self.getpos()[0]
        if a.get('id'):
            self.ids.add(a['id'])
        if tag in ('a', 'map') and a.get('name'):
            self.ids.add(a['name'])
        if tag == 'div':
            self.divs.append(a.get('class') or '')
            if 'caption' in self.divs[-1].split():
                self.caption += 1
        for attr in ('href', 'src', 'data'):
            if a.get(attr) is not None and tag in ('a', 'area', 'link', 'script', 'img', 'object', 'iframe',
                                                   'embed', 'source', 'audio', 'video'):
                self.links.append((line, tag, attr, a[attr]))
        if tag in ('img', 'object', 'iframe'):
            src = a.get('src' if tag != 'object' else 'data', '')
            figure = tag != 'img' or self.inside(self.FIGURE_CONTAINERS | {'textblock'})
            self.images.append(Image(line, tag, src, text_alternative(tag, a), figure))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == 'div':
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == 'div' and self.divs:
            if 'caption' in self.divs.pop().split():
                self.caption -= 1

    def handle_comment(self, data):
        # Doxygen closes a page's (\\mainpage's, \\page's, a markdown page's) contents with
        # <!-- PageDoc -->: what marks a chapter page.
        if data.strip() == 'PageDoc':
            self.chapter = True

    def handle_data(self, data):
        if self.caption and self.images and self.images[-1].figure:
            self.images[-1].caption += data


def is_image_file(url):
    return urllib.parse.urlsplit(url).path.lower().endswith(IMAGE_EXTENSIONS)


def describe(src, caption):
    caption = ' '.join(caption.split())
    if len(caption) > 70:
        caption = caption[:67] + '...'
    return f'{src} ("{caption}")' if caption else src


class Site:
    """One site folder, read as HTML."""

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.name = os.path.basename(os.path.dirname(self.root)) if os.path.basename(self.root) == 'html' \
            else os.path.basename(self.root)
        self.pages = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d != 'mathjax')  # MathJax's own files
            for name in sorted(filenames):
                if name.endswith(('.html', '.xhtml')):
                    path = os.path.join(dirpath, name)
                    self.pages[path] = Page(path)
        self.counts = collections.Counter()
        self.image_files = set()  # every image file a page shows (by absolute path)

    def rel(self, path):
        return os.path.relpath(path, self.root)

    def check_static(self, problems):
        for path, page in self.pages.items():
            for line, tag, attr, url in page.links:
                self.check_link(path, f'{self.name}/{self.rel(path)}:{line}', f'<{tag} {attr}>', url, problems)
            for image in page.images:
                where = f'{self.name}/{self.rel(path)}:{image.line}'
                self.counts['images'] += 1
                if image.figure:
                    self.counts['figures'] += 1
                    if not image.name:
                        problems.add(f'a figure without alt text: {describe(image.src, image.caption)} '
                                     f'(<{image.tag}> with no alt, aria-label or title)', where)
                elif image.name is None:
                    problems.add(f'an image without alt or title: {image.src}', where)
        self.check_tree_links(problems)

    def resolve(self, page_path, url):
        """(absolute path or None, fragment, problem or None) for an internal url."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == 'file':
            return None, '', 'an absolute file:// link (it works on one machine only)'
        if parts.netloc or parts.path.startswith('/'):
            return None, '', 'an absolute path (it breaks when the site moves)'
        fragment = urllib.parse.unquote(parts.fragment)
        if not parts.path:
            return page_path, fragment, None
        target = os.path.normpath(os.path.join(os.path.dirname(page_path), urllib.parse.unquote(parts.path)))
        if os.path.commonpath([target, self.root]) != self.root:
            return None, '', f'a link out of the site, to {target}'
        return target, fragment, None

    def anchors(self, target):
        page = self.pages.get(target)
        if page is None and target.endswith('.html') and os.path.isfile(target):
            page = self.pages[target] = Page(target)
        return page.ids if page else None

    def check_link(self, page_path, where, kind, url, problems):
        """One link (KIND: how the page holds it, <a href>, <img src>, ...) of the page at PAGE_PATH."""
        url = url.strip()
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme in EXTERNAL_SCHEMES:
            self.counts['external links (not followed)'] += 1
            return
        if scheme in ('javascript', 'data') or url in ('', '#'):
            return
        self.counts['internal links'] += 1
        target, fragment, problem = self.resolve(page_path, url)
        if problem:
            problems.add(f'{problem}: "{url}" ({kind})', where)
            return
        if not os.path.exists(target):
            problems.add(f'a link to a missing file: "{url}" ({kind}): the site has no {self.rel(target)}', where)
            return
        if kind.startswith(('<img', '<object', '<iframe', '<embed')) and is_image_file(url):
            self.image_files.add(target)
        if fragment:
            self.counts['links to an anchor'] += 1
            ids = self.anchors(target)
            if ids is not None and fragment not in ids:
                problems.add(f'a link to a missing anchor: "{url}" ({kind}): {self.rel(target)} has no id or '
                             f'name "{fragment}"', where)

    def check_tree_links(self, problems):
        """The tree view's links live in JavaScript data files (navtreedata.js, navtreeindex*.js,
        one PAGE.js per page with sections): every "file.html#anchor" string in them."""
        for name in sorted(os.listdir(self.root)):
            if not name.endswith('.js') or name in ('jquery.js',):
                continue
            path = os.path.join(self.root, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                for number, text in enumerate(f, 1):
                    for url in re.findall(r'"([A-Za-z0-9_.~%+-]+\.html(?:#[^"\s]*)?)"', text):
                        self.check_link(path, f'{self.name}/{name}:{number}', "the tree view's link", url, problems)


# ---------------------------------------------------------------------------------------------
# 2. The pages in Chromium, over the DevTools protocol on a pipe (--remote-debugging-pipe: the
# browser reads commands from its file descriptor 3 and writes replies and events to 4, each a
# JSON message ended by a NUL byte).

class BrowserError(Exception):
    pass


class Browser:
    FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe', '--no-first-run',
             '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
             '--disable-sync', '--disable-default-apps', '--disable-extensions', '--mute-audio',
             '--hide-scrollbars', '--force-color-profile=srgb', '--disable-features=Translate,MediaRouter']

    def __init__(self, executable, log_path):
        self.profile = tempfile.mkdtemp(prefix='check_site.')
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # The browser's ends, moved above the standard descriptors and given to it as 3 and 4 by
        # bash (Python's subprocess keeps descriptors but does not renumber them).
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        self.log = open(log_path, 'wb')
        command = ['bash', '-c', f'exec "$0" "$@" 3<&{child_r} 4>&{child_w} {child_r}<&- {child_w}>&-', executable,
                   *self.FLAGS, f'--user-data-dir={self.profile}', f'--window-size={WIDTH},{HEIGHT}', 'about:blank']
        # Its own process group: the browser and its helpers can be ended together, and only them.
        self.process = subprocess.Popen(command, pass_fds=(child_r, child_w), stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        os.close(child_r)
        os.close(child_w)
        self.out = to_browser_w
        self.inp = from_browser_r
        self.buffer = b''
        self.next_id = 0
        self.events = collections.defaultdict(list)  # session id -> events, in order
        try:
            self.version = self.call('Browser.getVersion', timeout=60)['product']
        except BrowserError:
            self.close()
            raise

    def close(self):
        try:
            self.call('Browser.close', timeout=10)
        except BrowserError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        for fd in (self.out, self.inp):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            message['sessionId'] = session
        data = json.dumps(message).encode() + b'\0'
        try:
            while data:
                data = data[os.write(self.out, data):]
        except BrokenPipeError:
            raise BrowserError('the browser closed its pipe (it exited)')
        return self.next_id

    def receive(self, deadline):
        while b'\0' not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.inp], [], [], left)
            if ready:
                chunk = os.read(self.inp, 1 << 20)
                if not chunk:
                    raise BrowserError('the browser closed its pipe (it exited)')
                self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b'\0')
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=30.0):
        number = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self.receive(deadline)
            except TimeoutError:
                raise BrowserError(f'{method} had no answer in {timeout:.0f} s')
            if message.get('id') == number:
                if 'error' in message:
                    raise BrowserError(f'{method}: {message["error"].get("message")}')
                return message.get('result', {})
            self.store(message)

    def store(self, message):
        """Keeps an event for its tab; a dialog (alert, confirm) is dismissed at once, as it would
        stop the page's scripts."""
        if 'method' not in message:
            return
        self.events[message.get('sessionId')].append(message)
        if message['method'] == 'Page.javascriptDialogOpening':
            self.send('Page.handleJavaScriptDialog', {'accept': False}, session=message.get('sessionId'))

    def wait_for(self, session, method, timeout):
        """The first event METHOD of SESSION not yet consumed, or None after TIMEOUT seconds."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            queue = self.events[session]
            for event in queue[seen:]:
                if event['method'] == method and not event.get('consumed'):
                    event['consumed'] = True
                    return event
            seen = len(queue)
            try:
                message = self.receive(deadline)
            except TimeoutError:
                return None
            self.store(message)

    def open_tab(self):
        target = self.call('Target.createTarget', {'url': 'about:blank'})['targetId']
        session = self.call('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
        for domain in ('Page', 'Runtime', 'Log', 'Network'):
            self.call(f'{domain}.enable', session=session)
        self.call('Emulation.setDeviceMetricsOverride',
                  {'width': WIDTH, 'height': HEIGHT, 'deviceScaleFactor': 1, 'mobile': False}, session=session)
        return target, session

    def close_tab(self, target, session):
        try:
            self.call('Target.closeTarget', {'targetId': target})
        except BrowserError:
            pass
        self.events.pop(session, None)

    def evaluate(self, session, expression, timeout):
        result = self.call('Runtime.evaluate', {'expression': expression, 'awaitPromise': True, 'returnByValue': True},
                           session=session, timeout=timeout)
        if 'exceptionDetails' in result:
            details = result['exceptionDetails']
            text = details.get('exception', {}).get('description') or details.get('text')
            raise BrowserError(f'the check itself failed in the page: {text}')
        return result['result'].get('value')


# The in-page check, run once the page has loaded: waits for MathJax 2 to finish its first
# typeset (its startup hook "End", then its queue), then counts the formulas, the ones typeset,
# MathJax's error boxes and messages, delimiters left in the text, and every image's decoding,
# and lists the figures (Doxygen's <div class="image"> and <div class="dotgraph">).
PAGE_CHECK = r'''
(async (timeoutMs) => {
  const sleep = ms => new Promise(res => setTimeout(res, ms));
  const start = Date.now();
  const left = () => Math.max(0, timeoutMs - (Date.now() - start));
  const r = {mathjax: null, formulas: 0, typeset: 0, mathProblems: [], leftover: [], images: [], imagesChecked: 0};
  if (document.querySelector('script[src*="MathJax.js"]')) {
    while (!(window.MathJax && MathJax.Hub && MathJax.Hub.Register) && left() > 0) await sleep(50);
    if (!(window.MathJax && MathJax.Hub && MathJax.Hub.Register)) {
      r.mathProblems.push('MathJax did not load');
    } else {
      // (The hook must return nothing: a hook that returns a callback, as Queue() does, makes
      // MathJax wait for it, and this one waits for MathJax.)
      const done = await Promise.race([
        new Promise(res => MathJax.Hub.Register.StartupHook('End', () => { MathJax.Hub.Queue(() => { res(true); }); })),
        sleep(left()).then(() => false)]);
      if (!done) r.mathProblems.push(`MathJax did not finish typesetting in ${timeoutMs / 1000} s`);
      r.mathjax = MathJax.version;
      // Every message MathJax posted, from the start: parse errors, processing errors, files
      // or fonts that failed to load.
      MathJax.Hub.signal.Interest(m => {
        const what = Array.isArray(m) ? String(m[0]) : String(m);
        if (/error|fail|no valid font|no web font|image fonts/i.test(what)) {
          const detail = Array.isArray(m) ? m.slice(1).filter(x => typeof x === 'string').join(' ') : '';
          r.mathProblems.push(`MathJax: ${what}${detail ? ': ' + detail : ''}`);
        }
      });
    }
  }
  const scripts = [...document.querySelectorAll('script[type^="math/tex"]')];
  r.formulas = scripts.length;
  for (const s of scripts) {
    const frame = s.id && document.getElementById(s.id + '-Frame');
    if (frame) r.typeset += 1;
    else r.mathProblems.push(`a formula MathJax did not typeset: ${s.textContent.trim().slice(0, 80)}`);
  }
  for (const e of document.querySelectorAll('.MathJax_Error, .merror, merror')) {
    const script = e.closest('.MathJax, .MathJax_Display, .MathJax_Preview, span') ;
    r.mathProblems.push(`a MathJax error box: "${e.textContent.trim().slice(0, 120)}"`);
  }
  if (/Math Processing Error/.test(document.body.innerText))
    r.mathProblems.push('the page shows "Math Processing Error"');
  // TeX delimiters still in the text: a formula MathJax did not find (unbalanced delimiters).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest('script, style, pre, code, textarea, .fragment, .MathJax, .MathJax_Display, .MathJax_Preview, .MJX_Assistive_MathML')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const m = n.textContent.match(/\\\(|\\\)|\\\[|\\\]|\\begin\{|\\f[$\[\]{}]/);
    if (m) r.leftover.push(n.textContent.slice(Math.max(0, m.index - 40), m.index + 60).replace(/\s+/g, ' '));
  }
  // Every image decodes: an <img> is complete with a width; an <object> or <iframe> showing an
  // image file is loaded again as an image and decoded.
  const decode = async (src) => {
    const im = new Image();
    im.src = src;
    try { await Promise.race([im.decode(), sleep(Math.min(10000, left() + 1000)).then(() => { throw new Error('timed out'); })]); }
    catch (e) { return `does not decode (${e.message})`; }
    return im.naturalWidth > 0 ? null : 'decodes to no pixels';
  };
  for (const img of document.images) {
    r.imagesChecked += 1;
    if (!img.complete) { for (let i = 0; i < 100 && !img.complete; i++) await sleep(50); }
    if (!img.complete || img.naturalWidth === 0)
      r.images.push({src: img.getAttribute('src'), problem: img.complete ? 'did not decode' : 'did not finish loading'});
  }
  for (const e of document.querySelectorAll('object[data], iframe[src], embed[src]')) {
    const src = e.getAttribute('data') || e.getAttribute('src');
    if (!/\.(svg|png|jpe?g|gif|webp)([?#].*)?$/i.test(src)) continue;
    r.imagesChecked += 1;
    const problem = await decode(e.data || e.src);
    if (problem) r.images.push({src, problem});
  }
  return r;
})
'''

# Decodes a list of image files (absolute file:// URLs), from a page of the site.
DECODE_FILES = r'''
(async (urls) => {
  const bad = [];
  await Promise.all(urls.map(async (u) => {
    const im = new Image();
    im.src = u;
    try { await im.decode(); if (im.naturalWidth === 0) bad.push([u, 'decodes to no pixels']); }
    catch (e) { bad.push([u, `does not decode (${e.message})`]); }
  }));
  return bad;
})
'''

# MathJax's "Typesetting math: 100%" box, in the corner, goes a moment after the typesetting:
# waited for (3 s at most), then hidden, so that no screenshot shows it.
MESSAGE_GONE = r'''
(async () => {
  const box = () => document.getElementById('MathJax_Message');
  for (let i = 0; i < 60 && box() && box().style.display !== 'none'; i++) await new Promise(r => setTimeout(r, 50));
  if (box()) box().style.display = 'none';
})()
'''

# The page's full height, for a full-length screenshot: Doxygen's tree view scrolls the
# contents inside <div id="doc-content">, sized to the window by resize.js.
PAGE_HEIGHT = r'''
(() => {
  const doc = document.getElementById('doc-content');
  const body = document.documentElement.scrollHeight;
  if (!doc) return body;
  return Math.ceil(body - doc.clientHeight + doc.scrollHeight);
})()
'''


def page_events(browser, session, where, problems):
    """The errors the browser reported while a page was open. One is not the page's: MathJax 2
    probes for web fonts with a font at about:blank (its MathJax_Blank), which Chromium refuses
    from a file:// page and reports as a CORS error."""
    events = browser.events.get(session, [])
    requests = {e['params'].get('requestId'): e['params'].get('request', {}).get('url')
                for e in events if e['method'] == 'Network.requestWillBeSent'}
    failed = {'about:blank'}
    for event in events:
        params = event.get('params', {})
        if event['method'] == 'Network.loadingFailed' and not params.get('canceled'):
            url = requests.get(params.get('requestId'), '?')
            if url not in failed:
                failed.add(url)
                blocked = params.get('blockedReason') or (params.get('corsErrorStatus') or {}).get('corsError')
                problems.add(f'a file that failed to load: {url} ({params.get("errorText")}'
                             f'{", " + blocked if blocked else ""})', where)
    for event in events:
        method, params = event['method'], event.get('params', {})
        if method == 'Runtime.exceptionThrown':
            d = params.get('exceptionDetails', {})
            text = (d.get('exception', {}).get('description') or d.get('text') or '').split('\n')[0]
            place = f' ({os.path.basename(d.get("url", ""))}:{d.get("lineNumber", 0) + 1})' if d.get('url') else ''
            problems.add(f'a script error: {text}{place}', where)
        elif method == 'Runtime.consoleAPICalled' and params.get('type') in ('error', 'assert'):
            text = ' '.join(str(a.get('value', a.get('description', ''))) for a in params.get('args', []))
            problems.add(f'a console error: {text[:200]}', where)
        elif method == 'Log.entryAdded' and params.get('entry', {}).get('level') == 'error':
            entry = params['entry']
            if entry.get('url') in failed or "font at 'about:blank'" in entry.get('text', ''):
                continue
            url = entry.get('url', '')
            problems.add(f'a browser error: {entry.get("text", "")[:200]}'
                         + (f' ({url})' if url and url not in entry.get('text', '') else ''), where)
        elif method == 'Page.javascriptDialogOpening':
            problems.add(f'a dialog opened: {params.get("message", "")[:200]}', where)


def open_page(browser, site, path, shot_dir, problems, counts):
    where = f'{site.name}/{site.rel(path)}'
    url = 'file://' + urllib.parse.quote(path)
    target, session = browser.open_tab()
    started = time.monotonic()
    before = len(problems)
    try:
        navigated = browser.call('Page.navigate', {'url': url}, session=session)
        if navigated.get('errorText'):
            problems.add(f'the page does not open: {navigated["errorText"]}', where)
            return
        if browser.wait_for(session, 'Page.loadEventFired', PAGE_TIMEOUT) is None:
            problems.add(f'the page did not finish loading in {PAGE_TIMEOUT:.0f} s', where)
            return
        left = max(5.0, PAGE_TIMEOUT - (time.monotonic() - started))
        r = browser.evaluate(session, f'{PAGE_CHECK}({int(left * 1000)})', timeout=left + 15)
        counts['pages opened in the browser'] += 1
        counts['formulas typeset'] += r['typeset']
        counts['formulas'] += r['formulas']
        counts['images decoded on the opened pages'] += r['imagesChecked']
        for problem in dict.fromkeys(r['mathProblems']):
            problems.add(problem, where)
        for text in r['leftover']:
            problems.add(f'TeX left untypeset in the text: "...{text}..."', where)
        for image in r['images']:
            problems.add(f'an image that {image["problem"]}: {image["src"]}', where)
        figure_names(browser, session, where, problems, counts)
        if shot_dir is not None and site.pages[path].chapter:
            screenshot(browser, session, path, os.path.join(shot_dir, site.name), counts)
        page_events(browser, session, where, problems)
        seconds = time.monotonic() - started
        counts['seconds in the browser'] += seconds
        print(f'  {where}: {r["typeset"]} of {r["formulas"]} formulas typeset, {r["imagesChecked"]} images, '
              f'{seconds:.1f} s{"" if len(problems) == before else ", with problems (below)"}', flush=True)
    except BrowserError as e:
        problems.add(f'the browser failed on this page: {e}', where)
    finally:
        browser.close_tab(target, session)


FIGURES = 'div.image img, div.dotgraph img, div.textblock img, object, iframe'


def figure_names(browser, session, where, problems, counts):
    """Every figure's name in Chromium's accessibility tree: what a screen reader announces."""
    browser.call('Accessibility.enable', session=session)
    root = browser.call('DOM.getDocument', {'depth': 0}, session=session)['root']['nodeId']
    nodes = browser.call('DOM.querySelectorAll', {'nodeId': root, 'selector': FIGURES}, session=session)['nodeIds']
    for node in nodes:
        ax = browser.call('Accessibility.getPartialAXTree', {'nodeId': node, 'fetchRelatives': False},
                          session=session)['nodes']
        if not ax or ax[0].get('ignored'):
            continue
        counts['figures named in the accessibility tree'] += 1
        if not str(ax[0].get('name', {}).get('value', '')).strip():
            counts['figures named in the accessibility tree'] -= 1
            attrs = browser.call('DOM.getAttributes', {'nodeId': node}, session=session)['attributes']
            a = dict(zip(attrs[::2], attrs[1::2]))
            problems.add(f'a figure a screen reader finds no name for: {a.get("data") or a.get("src")} '
                         f'(role {ax[0].get("role", {}).get("value")})', where)


def screenshot(browser, session, path, folder, counts):
    height = min(MAX_SHOT_HEIGHT, int(browser.evaluate(session, PAGE_HEIGHT, timeout=10)))
    browser.call('Emulation.setDeviceMetricsOverride',
                 {'width': WIDTH, 'height': max(HEIGHT, height), 'deviceScaleFactor': 1, 'mobile': False},
                 session=session)
    # resize.js sizes the contents to the new window on the resize event; two frames later the
    # page is laid out at its full length.
    browser.evaluate(session, 'new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))', timeout=10)
    browser.evaluate(session, MESSAGE_GONE, timeout=10)
    # optimizeForSpeed: a third larger, twice as fast (2 s instead of 4 for chapter 7, 21,000 pixels tall).
    shot = browser.call('Page.captureScreenshot', {'format': 'png', 'optimizeForSpeed': True}, session=session,
                        timeout=60)
    os.makedirs(folder, exist_ok=True)
    name = os.path.splitext(os.path.basename(path))[0] + '.png'
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(base64.b64decode(shot['data']))
    counts['screenshots'] += 1


def decode_site_images(browser, site, problems, counts):
    """Every image file some page shows, decoded once, from the site's front page."""
    front = os.path.join(site.root, 'index.html')
    files = sorted(site.image_files)
    if not files or not os.path.exists(front):
        return
    target, session = browser.open_tab()
    try:
        browser.call('Page.navigate', {'url': 'file://' + urllib.parse.quote(front)}, session=session)
        browser.wait_for(session, 'Page.loadEventFired', PAGE_TIMEOUT)
        urls = ['file://' + urllib.parse.quote(f) for f in files]
        bad = browser.evaluate(session, f'{DECODE_FILES}({json.dumps(urls)})', timeout=PAGE_TIMEOUT)
        counts['image files decoded'] += len(files)
        for url, problem in bad:
            problems.add(f'an image file that {problem}: {site.rel(urllib.parse.unquote(url[7:]))}', site.name)
    except BrowserError as e:
        problems.add(f'the browser failed while decoding the image files: {e}', site.name)
    finally:
        browser.close_tab(target, session)


def browser_pages(site):
    """The pages the browser opens: the front page, every chapter page (every Doxygen page),
    and every other page with a formula or a figure, in that order."""
    front = os.path.join(site.root, 'index.html')
    chosen = [p for p in site.pages if p == front]
    chosen += [p for p, page in site.pages.items() if p != front and page.chapter]
    chosen += [p for p, page in site.pages.items()
               if p not in chosen and (page.math or any(image.figure for image in page.images))]
    return chosen


def n(count, noun):
    """'1 figure', '2 figures'."""
    return f'{count} {noun}' if count == 1 else f'{count} {noun}s'


def find_chromium(given):
    for name in ([given] if given else []) + ['chromium', 'chromium-browser', 'google-chrome']:
        found = shutil.which(name) if name else None
        if found:
            return found
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0].strip(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n\n', 2)[2])
    parser.add_argument('sites', nargs='+', metavar='SITE_HTML_DIR', help="a site's html folder")
    parser.add_argument('--screenshots', metavar='DIR',
                        help='where the chapter pages\' screenshots go, one folder per site (default: '
                             'screenshots/ beside the first site\'s folder)')
    parser.add_argument('--no-browser', action='store_true', help='only the checks that need no browser')
    parser.add_argument('--chromium', help='the browser to run (default: chromium on the PATH)')
    parser.add_argument('--all', action='store_true', help='list every place of each problem, not the first 10')
    args = parser.parse_args()

    # A ctest timeout or a ^C ends the run through the finally clauses: the browser is closed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    problems = Problems()
    sites = []
    for folder in args.sites:
        if not os.path.isfile(os.path.join(folder, 'index.html')):
            print(f'check_site: {folder} is not a built site (no index.html): build it first '
                  f'(./course docs, ./course docs --instructor)', file=sys.stderr)
            return 2
        site = Site(folder)
        site.check_static(problems)
        sites.append(site)
    static_seconds = time.monotonic() - started

    chromium = None if args.no_browser else find_chromium(args.chromium)
    browser_counts = collections.Counter()
    browser_version = None
    if chromium:
        shots = args.screenshots or os.path.join(os.path.dirname(os.path.dirname(sites[0].root)), 'screenshots')
        shots = os.path.normpath(shots)
        for site in sites:
            shutil.rmtree(os.path.join(shots, site.name), ignore_errors=True)
        os.makedirs(shots, exist_ok=True)
        log = os.path.join(shots, 'chromium.log')
        try:
            browser = Browser(chromium, log)
        except (BrowserError, OSError) as e:
            print(f'check_site: could not start {chromium} ({e}); its output is in {log}', file=sys.stderr)
            return 1
        browser_version = browser.version
        try:
            for site in sites:
                for path in browser_pages(site):
                    open_page(browser, site, path, shots, problems, browser_counts)
                decode_site_images(browser, site, problems, browser_counts)
        finally:
            browser.close()

    # The summary.
    counts = collections.Counter()
    for site in sites:
        counts.update(site.counts)
    pages = sum(len(s.pages) for s in sites)
    chapters = sum(1 for s in sites for p in s.pages.values() if p.chapter)
    print(f'check_site: {n(len(sites), "site")}: ' + ', '.join(site.name for site in sites))
    print(f'  {n(pages, "page")} read as HTML, {chapters} of them chapter pages ({static_seconds:.1f} s)')
    print(f'  {n(counts["internal links"], "internal link")} checked ({counts["links to an anchor"]} to an anchor), '
          f'{counts["external links (not followed)"]} external ones not followed')
    print(f'  {n(counts["images"], "image")}, {counts["figures"]} of them figures (which need alt text)')
    if chromium:
        b = browser_counts
        print(f'  in {browser_version}: {n(b["pages opened in the browser"], "page")} opened '
              f'({b["seconds in the browser"]:.1f} s), {b["formulas typeset"]} of {n(b["formulas"], "formula")} '
              f'typeset, {n(b["images decoded on the opened pages"], "image")} on them decoded, '
              f'{n(b["image files decoded"], "image file")} decoded, '
              f'{n(b["figures named in the accessibility tree"], "figure")} named in the accessibility tree, '
              f'{n(b["screenshots"], "screenshot")} in {shots}')
    elif args.no_browser:
        print('  the browser checks were not run (--no-browser)')
    else:
        print('  the browser checks were skipped: chromium is not installed (apt-get install chromium)')
    print(f'  {time.monotonic() - started:.1f} s in all')
    if problems:
        print(f'check_site: {n(len(problems), "problem")}:')
        for line in problems.report(None if args.all else 10):
            print(line)
        return 1
    if not chromium and not args.no_browser:
        return SKIP
    print('check_site: no problem found')
    return 0


if __name__ == '__main__':
    sys.exit(main())
