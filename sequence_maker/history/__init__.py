"""Edit history: undoable commands, undo/redo, groups and checkpoints, and the ProjectEditor."""

from .commands import Command, ReplaceSegments
from .editor import Change, ProjectEditor
from .history import Checkpoint, History, Step

__all__ = ["Command", "ReplaceSegments", "Change", "ProjectEditor", "Checkpoint", "History", "Step"]
