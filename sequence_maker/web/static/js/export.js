// Export: show the lint warnings first, then one click downloads every ball's .prg as a zip.

import { api } from "./api.js";
import { renderBallsSection } from "./balls.js";
import { emit, state } from "./store.js";
import { $, h, showError } from "./ui.js";

export async function openExport() {
  if (!state.projectId) return;
  const dlg = $("#export-dialog");
  const list = $("#lint-list");
  list.replaceChildren(h("div.muted", {}, "Checking the project…"));
  $("#export-download").href = api.exportZipUrl(state.projectId);
  $("#export-download").setAttribute("download", `${state.projectId}.zip`);
  $("#export-balls").replaceChildren(
    h("span.muted", {}, "Or one ball:"),
    ...state.project.balls.map((b, i) =>
      h("a", { href: api.exportBallUrl(state.projectId, i), download: "" }, b.name || `Ball ${i + 1}`)),
  );
  renderBallsSection();
  dlg.showModal();
  try {
    const { issues } = await api.lint(state.projectId);
    list.replaceChildren(
      issues.length
        ? h("div", {}, h("p", {}, `${issues.length} thing${issues.length > 1 ? "s" : ""} to know before exporting:`),
          ...issues.map((i) => h(`div.lint.${i.level || "info"}`, {
            "data-testid": "lint",
            title: Number.isInteger(i.time_ms) ? "Click to move the playhead there" : "",
            onclick: () => Number.isInteger(i.time_ms) && emit("seek", { ms: i.time_ms }),
          }, i.text || `${i.level || "info"}: ${i.message}`)))
        : h("p", { "data-testid": "lint-clean" }, "No problems found. The zip holds one .prg per ball."),
    );
  } catch (e) {
    list.replaceChildren(h("div.lint.error", {}, `Could not check the project: ${e.message}`));
    showError(e, "Lint");
  }
}
