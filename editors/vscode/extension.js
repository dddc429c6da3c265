// The flowc extension: highlighting comes from the grammar in syntaxes/;
// everything else from the language server, `flowc lsp`, started here.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("flowc").get("path") || "flowc";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "flowc",
    "flowc",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "flow" }, { scheme: "untitled", language: "flow" }] }
  );
  context.subscriptions.push(client);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `flowc: cannot start \`${command} lsp\` (${error.message}). Set flowc.path to the flowc binary.`
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
