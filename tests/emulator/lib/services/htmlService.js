'use strict';
// HtmlService: HTML outputs and templates with <?= ?>, <?!= ?> and <? ?>
// scriptlets. Templates are compiled in the execution's realm, so they can
// call the script's own functions (the usual include(name) helper).

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { ScriptException } = require('../errors');

function readProjectHtml(emu, name) {
  const file = String(name).replace(/\.html$/, '');
  const mapped = emu.options.htmlFiles[file];
  const candidate = mapped || path.join(emu.options.projectDir, `${file}.html`);
  if (!fs.existsSync(candidate)) throw new ScriptException(`No HTML file named ${file} was found.`);
  return fs.readFileSync(candidate, 'utf8');
}

/** Turns template text into JS source of a function(vars) → string. */
function compileTemplate(text) {
  let code = "var __o = '';\n";
  const re = /<\?(!?=)?([\s\S]*?)\?>/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    code += `__o += ${JSON.stringify(text.slice(last, m.index))};\n`;
    // `<?!= include('x'); ?>` is common: a trailing semicolon is allowed.
    const expr = m[2].trim().replace(/;+$/, '');
    if (m[1] === '=') code += `__o += __escape(${expr});\n`;
    else if (m[1] === '!=') code += `__o += __text(${expr});\n`;
    else code += `${m[2]}\n`;
    last = re.lastIndex;
  }
  code += `__o += ${JSON.stringify(text.slice(last))};\nreturn __o;`;
  return `(function (__vars, __escape, __text) { with (__vars) { ${code} } })`;
}

const escapeHtml = (v) => String(v ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function createOutput(exec, initial) {
  let content = initial;
  let title = '';
  let width = null;
  let height = null;
  const self = exec.service('HtmlOutput', {
    getContent: () => content,
    setContent(c) {
      content = String(c);
      return self;
    },
    append(c) {
      content += String(c);
      return self;
    },
    appendUntrusted(c) {
      content += escapeHtml(c);
      return self;
    },
    clear() {
      content = '';
      return self;
    },
    setTitle(t) {
      title = String(t);
      return self;
    },
    getTitle: () => title,
    setWidth(w) {
      width = Number(w);
      return self;
    },
    getWidth: () => width,
    setHeight(h) {
      height = Number(h);
      return self;
    },
    getHeight: () => height,
    setSandboxMode: () => self,
    setXFrameOptionsMode: () => self,
    addMetaTag: () => self,
    setFaviconUrl: () => self,
    getAs: () => require('./blob').createBlob(exec, Buffer.from(content), 'text/html', null),
  });
  return self;
}

function createTemplate(exec, text) {
  const self = exec.service('HtmlTemplate', {
    getCode: () => compileTemplate(text),
    getRawContent: () => text,
    evaluate() {
      const vars = new exec.realm.Object();
      for (const [k, v] of Object.entries(self)) if (typeof v !== 'function') vars[k] = v;
      const fn = vm.runInContext(compileTemplate(text), exec.context, { filename: 'template.html' });
      return createOutput(exec, fn(vars, escapeHtml, (v) => String(v ?? '')));
    },
  });
  return self;
}

/** Creates the HtmlService global for one execution. */
function createHtmlService(exec) {
  return exec.service('HtmlService', {
    SandboxMode: { EMULATED: 'EMULATED', IFRAME: 'IFRAME', NATIVE: 'NATIVE' },
    XFrameOptionsMode: { ALLOWALL: 'ALLOWALL', DEFAULT: 'DEFAULT' },
    createHtmlOutput: (html = '') => createOutput(exec, typeof html === 'string' ? html : String(html.getDataAsString ? html.getDataAsString() : html)),
    createHtmlOutputFromFile: (name) => createOutput(exec, readProjectHtml(exec.emu, name)),
    createTemplate: (text) => createTemplate(exec, String(text)),
    createTemplateFromFile: (name) => createTemplate(exec, readProjectHtml(exec.emu, name)),
  });
}

module.exports = { createHtmlService, compileTemplate };
