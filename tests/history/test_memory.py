"""History memory is proportional to the edit, not to the project (issue budget: ≤ 1 KB)."""

from sequence_maker.history import ProjectEditor
from sequence_maker.model import Ball, Project, solid


def big_project(n: int = 10_000) -> Project:
    segs = [solid(i * 100, i * 100 + 90, (i % 256, 0, 0)) for i in range(n)]
    return Project("Big", n * 100, [Ball("B", 4, segs)])


def test_one_segment_edit_in_a_10k_project_costs_under_1kb():
    ed = ProjectEditor(big_project())
    ed.modify_segment(0, 500_000, color="blue")
    ed.paint(0, solid(123_450, 123_470, "white"))  # splits one segment
    ed.delete_segment(0, 700_000)
    for step in ed.history.undo_stack:
        assert step.approx_bytes() <= 1024, (step.label, step.approx_bytes())


def test_history_bytes_do_not_grow_with_project_size():
    small = ProjectEditor(big_project(100))
    large = ProjectEditor(big_project(10_000))
    for ed in (small, large):
        ed.paint(0, solid(5_020, 5_040, "white"))
    assert large.history.approx_bytes() == small.history.approx_bytes()
