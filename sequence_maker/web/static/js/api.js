// Thin REST client for the studio server (docs/api.md). Every call either returns parsed JSON
// or throws ApiError carrying the server's {code, message}, so the UI can show the real reason.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body, opts = {}) {
  const init = { method, headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, "network", `cannot reach the studio server (${e.message})`);
  }
  if (opts.raw) {
    if (!res.ok) throw await errorOf(res);
    return res;
  }
  if (!res.ok) throw await errorOf(res);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

async function errorOf(res) {
  let code = "http_" + res.status;
  let message = `${res.status} ${res.statusText}`;
  try {
    const j = await res.json();
    if (j && j.error) {
      code = j.error.code || code;
      message = j.error.message || message;
    } else if (j && j.detail) {
      message = typeof j.detail === "string" ? j.detail : JSON.stringify(j.detail);
    }
  } catch {
    /* body was not JSON; keep the status line */
  }
  return new ApiError(res.status, code, message);
}

const enc = encodeURIComponent;
const P = (name) => `/api/projects/${enc(name)}`;

export const api = {
  status: () => request("GET", "/api/status"),
  listProjects: () => request("GET", "/api/projects"),
  createProject: (body) => request("POST", "/api/projects", body),
  getProject: (name) => request("GET", P(name)),
  patchProject: (name, body) => request("PATCH", P(name), body),
  saveProject: (name) => request("POST", `${P(name)}/save`),

  addBall: (name, body = {}) => request("POST", `${P(name)}/balls`, body),
  patchBall: (name, ball, body) => request("PATCH", `${P(name)}/balls/${ball}`, body),
  paint: (name, ball, segments) => request("POST", `${P(name)}/balls/${ball}/segments`, { segments }),
  replaceTimeline: (name, ball, segments) => request("PUT", `${P(name)}/balls/${ball}/segments`, { segments }),
  modifySegment: (name, ball, t, changes) => request("PATCH", `${P(name)}/balls/${ball}/segments/${t}`, changes),
  moveSegment: (name, ball, t, newStart, toBall) =>
    request("POST", `${P(name)}/balls/${ball}/segments/${t}/move`, {
      new_start_ms: newStart,
      ...(toBall !== undefined && toBall !== ball ? { to_ball: toBall } : {}),
    }),
  deleteSegment: (name, ball, t) => request("DELETE", `${P(name)}/balls/${ball}/segments/${t}`),
  erase: (name, ball, startMs, endMs) =>
    request("POST", `${P(name)}/balls/${ball}/erase`, { start_ms: startMs, end_ms: endMs }),

  undo: (name) => request("POST", `${P(name)}/undo`),
  redo: (name) => request("POST", `${P(name)}/redo`),
  checkpoints: (name) => request("GET", `${P(name)}/checkpoints`),
  createCheckpoint: (name, cpName) => request("POST", `${P(name)}/checkpoints`, { name: cpName }),
  restoreCheckpoint: (name, id) => request("POST", `${P(name)}/checkpoints/${enc(id)}/restore`),

  /** Upload with progress (fetch cannot report upload progress; XHR can). */
  uploadAudio: (name, file, onProgress = () => {}) =>
    new Promise((resolve, reject) => {
      const fd = new FormData();
      fd.append("file", file, file.name || "audio.wav");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${P(name)}/audio`);
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onerror = () => reject(new ApiError(0, "network", "upload failed: cannot reach the studio server"));
      xhr.onload = () => {
        let body = null;
        try {
          body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          /* not JSON */
        }
        if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
        const err = body && body.error ? body.error : {};
        reject(new ApiError(xhr.status, err.code || `http_${xhr.status}`, err.message || `${xhr.status} ${xhr.statusText}`));
      };
      xhr.send(fd);
    }),
  audioUrl: (name) => `${P(name)}/audio`,
  uploadLyrics: (name, file) => {
    const fd = new FormData();
    fd.append("file", file, file.name);
    return request("POST", `${P(name)}/lyrics`, fd);
  },
  peaks: (name, points) => request("GET", `${P(name)}/peaks?points=${points}`),
  analyze: (name) => request("POST", `${P(name)}/analysis`, { apply_grid: true }),
  job: (id) => request("GET", `/api/jobs/${enc(id)}`),
  setGrid: (name, grid) => request("PUT", `${P(name)}/grid`, { grid }),
  gridEdit: (name, op, args) => request("POST", `${P(name)}/grid/edit`, { op, args }),

  lint: (name) => request("GET", `${P(name)}/lint`),
  exportZipUrl: (name) => `${P(name)}/export.zip`,
  exportBallUrl: (name, ball) => `${P(name)}/export/${ball}.prg`,
  cancelJob: (id) => request("DELETE", `/api/jobs/${enc(id)}`),

  sessions: (name) => request("GET", `${P(name)}/sessions`),
  createSession: (name, title) => request("POST", `${P(name)}/sessions`, title ? { title } : {}),
  session: (id) => request("GET", `/api/sessions/${enc(id)}`),

  profiles: () => request("GET", "/api/profiles"),
  putProfile: (name, body) => request("PUT", `/api/profiles/${enc(name)}`, body),
  deleteProfile: (name) => request("DELETE", `/api/profiles/${enc(name)}`),
  activateProfile: (name) => request("POST", `/api/profiles/${enc(name)}/activate`),
  settings: () => request("GET", "/api/settings"),
  patchSettings: (body) => request("PATCH", "/api/settings", body),

  metrics: (windowS = 86400 * 30, recent = 200) => request("GET", `/api/metrics?window_s=${windowS}&recent=${recent}`),

  // UI additions (sequence_maker/server/routes/ui_support.py)
  moveSegments: (name, items, deltaMs, ballDelta) =>
    request("POST", `/api/ui/projects/${enc(name)}/move-segments`, { items, delta_ms: deltaMs, ball_delta: ballDelta }),
  deleteSegments: (name, items) => request("POST", `/api/ui/projects/${enc(name)}/delete-segments`, { items }),
  paintSegments: (name, items, label) => request("POST", `/api/ui/projects/${enc(name)}/paint-segments`, { items, label }),
  templates: () => request("GET", "/api/ui/templates"),
  feedback: (body) => request("POST", "/api/ui/feedback", body),
};
