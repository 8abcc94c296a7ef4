"""Storage: project files (ours and the earlier app's), atomic saves, autosave/recovery, workspaces.

Public API: :class:`ProjectDocument`, :class:`Workspace`, :class:`ProjectFileError`.
"""

from .document import ProjectDocument, RecoveryInfo, backup_path_for, recovery_path_for
from .errors import ProjectFileError, WorkspaceError
from .workspace import ProjectEntry, Workspace

__all__ = ["ProjectDocument", "RecoveryInfo", "backup_path_for", "recovery_path_for", "ProjectFileError",
           "WorkspaceError", "ProjectEntry", "Workspace"]
