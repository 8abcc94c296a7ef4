"""Background jobs (audio analysis) in worker threads, with progress pushed to the project's tabs."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..assistant.providers.secret import scrub

log = logging.getLogger(__name__)


class JobCancelled(Exception):
    pass


@dataclass(eq=False)
class Job:
    id: str
    kind: str
    project: str
    state: str = "queued"
    progress: float = 0.0
    stage: str = ""
    error: str | None = None
    result: Any = None
    created: float = field(default_factory=time.time)
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def info(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "project": self.project, "state": self.state,
                "progress": round(self.progress, 4), "stage": self.stage, "error": self.error}


class JobManager:
    def __init__(self, projects: Any, keep: int = 200) -> None:
        self.projects = projects
        self.jobs: dict[str, Job] = {}
        self.keep = keep
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def running_for(self, project: str, kind: str) -> Job | None:
        return next((j for j in self.jobs.values()
                     if j.project == project and j.kind == kind and j.state in ("queued", "running")), None)

    def submit(self, kind: str, project: str, work: Any, on_done: Any = None) -> Job:
        """Run ``work(job, report)`` in a thread; ``report(fraction, stage)`` pushes progress (throttled)."""
        job = Job(uuid.uuid4().hex[:12], kind, project)
        with self._lock:
            self.jobs[job.id] = job
            if len(self.jobs) > self.keep:
                for old in sorted(self.jobs.values(), key=lambda j: j.created)[: len(self.jobs) - self.keep]:
                    if old.state not in ("queued", "running"):
                        self.jobs.pop(old.id, None)
        stream = self.projects.stream(project)
        last = {"t": 0.0, "p": -1.0}

        def push(force: bool = False) -> None:
            now = time.monotonic()
            if force or now - last["t"] >= 0.1 or job.progress - last["p"] >= 0.05:
                last["t"], last["p"] = now, job.progress
                stream.publish("analysis_progress", {"job_id": job.id, **job.info()})

        def report(fraction: float, stage: str = "") -> None:
            if job.cancel_event.is_set():
                raise JobCancelled()
            job.progress = max(job.progress, min(1.0, float(fraction)))
            job.stage = stage or job.stage
            push()

        def run() -> None:
            job.state = "running"
            push(True)
            try:
                job.result = work(job, report)
            except JobCancelled:
                job.state = "cancelled"
            except Exception as e:
                if job.cancel_event.is_set():
                    job.state = "cancelled"
                else:
                    job.state, job.error = "error", scrub(str(e)) or type(e).__name__
                    log.warning("%s job for %s failed: %s", kind, project, job.error)
            else:
                job.state, job.progress, job.stage = "done", 1.0, "done"
            push(True)  # the final state goes out before anything the job's result changes
            if job.state == "done" and on_done is not None:
                try:
                    on_done(job)
                except Exception as e:
                    job.error = f"finished, but applying the result failed: {scrub(str(e))}"
                    log.warning("%s job for %s: %s", kind, project, job.error)

        threading.Thread(target=run, name=f"job-{kind}-{job.id}", daemon=True).start()
        return job

    def cancel(self, job_id: str) -> bool:
        job = self.jobs.get(job_id)
        if job is None or job.state not in ("queued", "running"):
            return False
        job.cancel_event.set()
        return True

    def cancel_all(self) -> None:
        for j in list(self.jobs.values()):
            j.cancel_event.set()
