/**
 * The add-on's menu and sidebar. The sidebar is a template so that it can include the
 * generated wasm bundle (SidebarWasm.html) and its own parts.
 */

/**
 * Adds the sheetsync menu when the spreadsheet opens: a menu of its own named sheetsync for a
 * script bound to the spreadsheet, the add-on menu (under Extensions, named by the listing) for
 * a published add-on, which may not add menus of its own.
 */
function onOpen(e) {
  var ui = SpreadsheetApp.getUi();
  var addon = (e && e.authMode === ScriptApp.AuthMode.NONE) || triggersIsPublishedAddon_();
  (addon ? ui.createAddonMenu() : ui.createMenu('sheetsync'))
    .addItem('Open sheetsync', 'showSidebar')
    .addItem('Sync now', 'menuSyncNow')
    .addToUi();
}

/** Runs when the add-on is installed, so the menu shows without reopening the file. */
function onInstall(e) {
  onOpen(e);
}

/** Opens the sidebar. */
function showSidebar() {
  var html = HtmlService.createTemplateFromFile('Sidebar')
    .evaluate()
    .setTitle('sheetsync');
  SpreadsheetApp.getUi().showSidebar(html);
}

/** Syncs the active sheet from the menu and says what happened. */
function menuSyncNow() {
  return thenOrNow_(syncNow({ source: 'menu' }), function (summary) {
    SpreadsheetApp.getActiveSpreadsheet().toast(summary.text, 'sheetsync', 8);
    return summary;
  });
}

/** The content of another HTML file of the project, for the sidebar template's includes. */
function include(name) {
  return HtmlService.createHtmlOutputFromFile(name).getContent();
}
