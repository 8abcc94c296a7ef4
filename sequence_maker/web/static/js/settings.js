// Settings view: provider profiles (API keys are write-only: we send them, never show them),
// approval mode and custom instructions.

import { api } from "./api.js";
import { loadPickers } from "./assistant.js";
import { emit } from "./store.js";
import { $, h, showError, toast } from "./ui.js";

export function initSettings() {
  $("#profile-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = { provider: f.get("provider"), model: f.get("model") };
    if (f.get("base_url")) body.base_url = f.get("base_url");
    if (f.get("api_key")) body.api_key = f.get("api_key");
    if (f.get("options")) {
      try {
        body.options = JSON.parse(f.get("options"));
      } catch (e) {
        return showError(new Error(`Options must be a JSON object: ${e.message}`), "Save profile");
      }
    }
    try {
      await api.putProfile(f.get("name"), body);
      ev.target.querySelector("[name=api_key]").value = "";
      toast(`Profile ${f.get("name")} saved`);
      refreshSettings();
      loadPickers();
    } catch (e) {
      showError(e, "Save profile");
    }
  });
  $("#btn-save-settings").addEventListener("click", async () => {
    try {
      const { settings } = await api.patchSettings({
        approval_mode: $("#approval-mode").value,
        custom_instructions: $("#custom-instructions").value || null,
      });
      emit("settings", settings);
      toast("Settings saved");
    } catch (e) {
      showError(e, "Save settings");
    }
  });
}

export async function refreshSettings() {
  try {
    const { settings } = await api.settings();
    $("#approval-mode").value = settings.approval_mode || "auto";
    $("#custom-instructions").value = settings.custom_instructions || "";
    emit("settings", settings);
  } catch (e) {
    showError(e, "Settings");
  }
  try {
    const { profiles, active } = await api.profiles();
    $("#profile-table tbody").replaceChildren(
      ...profiles.map((p) =>
        h("tr", {},
          h("td", {}, p.name + (p.name === active ? " (active)" : "")),
          h("td", {}, p.provider),
          h("td", {}, p.model || ""),
          h("td", {}, p.base_url || "default"),
          h("td", {}, p.key && p.key.set ? `set ••••${p.key.last4 || ""}` : "not set"),
          h("td", {},
            h("button.small", { onclick: () => editProfile(p) }, "Edit"),
            " ",
            h("button.small", { onclick: () => activate(p.name) }, "Use"),
            " ",
            h("button.small.danger", { onclick: () => remove(p.name) }, "Delete"),
          ),
        ),
      ),
    );
    if (!profiles.length) $("#profile-table tbody").append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No profiles yet: add one below.")));
  } catch (e) {
    showError(e, "Profiles");
  }
}

function editProfile(p) {
  const f = $("#profile-form");
  f.name.value = p.name;
  f.provider.value = p.provider;
  f.model.value = p.model || "";
  f.base_url.value = p.base_url || "";
  f.api_key.value = "";
  f.options.value = p.options && Object.keys(p.options).length ? JSON.stringify(p.options) : "";
}

async function activate(name) {
  try {
    await api.activateProfile(name);
    toast(`Using ${name}`);
    refreshSettings();
    loadPickers();
  } catch (e) {
    showError(e, "Activate");
  }
}

async function remove(name) {
  if (!confirm(`Delete profile ${name} and its stored key?`)) return;
  try {
    await api.deleteProfile(name);
    refreshSettings();
    loadPickers();
  } catch (e) {
    showError(e, "Delete profile");
  }
}
