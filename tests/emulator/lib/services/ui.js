'use strict';
// SpreadsheetApp.getUi(): menus, alerts, prompts, sidebars and dialogs. Nothing
// is drawn; everything is recorded on `emu.ui` for tests to inspect, and
// alerts/prompts are answered by `emu.ui.respond` (default: OK / YES).

const { ScriptException } = require('../errors');

const Button = { CLOSE: 'CLOSE', OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO' };
const ButtonSet = { OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO', YES_NO_CANCEL: 'YES_NO_CANCEL' };

/** The recorder kept on the emulator across executions. */
function createUiRecord() {
  return {
    menus: [],
    alerts: [],
    prompts: [],
    sidebars: [],
    dialogs: [],
    toasts: [],
    /** Decides a person's answer; tests may replace it. */
    respond(kind, request) {
      if (kind === 'prompt') return { button: Button.OK, text: '' };
      return request.buttons === ButtonSet.YES_NO || request.buttons === ButtonSet.YES_NO_CANCEL ? Button.YES : Button.OK;
    },
  };
}

function htmlOf(exec, output) {
  if (output && typeof output.getContent === 'function') return output.getContent();
  throw new ScriptException("The parameters don't match the method signature for Ui.showSidebar.");
}

/** Creates the Ui service object, refused where Google refuses it. */
function createUi(exec) {
  if (exec.kind === 'time') throw new ScriptException('Cannot call SpreadsheetApp.getUi() from this context.');
  const record = exec.emu.ui;
  const menu = (name) => {
    const entry = { name, items: [] };
    const self = exec.service('Menu', {
      addItem(caption, functionName) {
        entry.items.push({ caption: String(caption), functionName: String(functionName) });
        return self;
      },
      addSeparator() {
        entry.items.push({ separator: true });
        return self;
      },
      addSubMenu(sub) {
        entry.items.push({ subMenu: sub.__entry });
        return self;
      },
      addToUi() {
        record.menus = record.menus.filter((m) => m.name !== entry.name);
        record.menus.push(entry);
      },
    });
    Object.defineProperty(self, '__entry', { value: entry });
    return self;
  };
  return exec.service('Ui', {
    Button,
    ButtonSet,
    createMenu: (name) => menu(String(name)),
    createAddonMenu: () => menu(exec.emu.options.addonName),
    alert(a, b, c) {
      const request = b === undefined ? { title: '', prompt: String(a), buttons: ButtonSet.OK }
        : c === undefined ? { title: '', prompt: String(a), buttons: b }
        : { title: String(a), prompt: String(b), buttons: c };
      record.alerts.push(request);
      return record.respond('alert', request);
    },
    prompt(a, b, c) {
      const request = b === undefined ? { title: '', prompt: String(a), buttons: ButtonSet.OK }
        : c === undefined ? { title: '', prompt: String(a), buttons: b }
        : { title: String(a), prompt: String(b), buttons: c };
      record.prompts.push(request);
      const answer = record.respond('prompt', request);
      return exec.service('PromptResponse', {
        getResponseText: () => answer.text,
        getSelectedButton: () => answer.button,
      });
    },
    showSidebar(output) {
      record.sidebars.push({ html: htmlOf(exec, output), title: output.getTitle ? output.getTitle() : '' });
    },
    showModalDialog(output, title) {
      record.dialogs.push({ html: htmlOf(exec, output), title: String(title), modal: true });
    },
    showModelessDialog(output, title) {
      record.dialogs.push({ html: htmlOf(exec, output), title: String(title), modal: false });
    },
  });
}

module.exports = { createUi, createUiRecord, Button, ButtonSet };
