"""Complementary suppression: no hidden small cell follows from a published total."""

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.core.disclosure import Line, is_small, protect


def exposed(values, lines, hidden):
    """Lines with exactly one hidden entry: that entry is its total less the visible rest."""
    return [line for line in lines if sum(key in hidden for key in (line.total, *line.cells)) == 1]


def test_a_lone_small_district_takes_its_smallest_visible_sibling_with_it():
    values = {"gov": 73, "d1": 3, "d2": 50, "d3": 20}
    lines = [Line("gov", ["d1", "d2", "d3"])]
    protection = protect(values, lines, 5)
    assert protection.small == {"d1"}
    assert protection.complements == {"d3"}  # 20, not 50: the least lost
    assert protection.hidden == {"d1", "d3"}
    assert "d3" in protection
    assert "d2" not in protection


def test_two_small_cells_protect_each_other():
    values = {"gov": 57, "d1": 3, "d2": 4, "d3": 50}
    protection = protect(values, [Line("gov", ["d1", "d2", "d3"])], 5)
    assert protection.hidden == {"d1", "d2"}
    assert not protection.complements


def test_nothing_small_hides_nothing_and_zero_is_not_small():
    values = {"gov": 50, "d1": 0, "d2": 50}
    assert not protect(values, [Line("gov", ["d1", "d2"])], 5).hidden
    assert [is_small(value, 5) for value in (None, 0, 1, 4, 5)] == [False, False, True, True, False]


def test_a_hidden_total_takes_a_cell_of_its_line():
    # The total is small, its cells are zero or small: hiding the total alone would do, but
    # a line of visible cells gives the total back, so one of them goes too.
    values = {"all": 4, "a": 4, "b": 0}
    protection = protect(values, [Line("all", ["a", "b"])], 5)
    assert protection.hidden == {"all", "a"}


def test_a_complement_is_protected_in_its_own_line_too():
    # d1 (3) takes d2 (10) with it in the governorate; d2 is the total of its two locations,
    # of which one must go too or d2 follows from them.
    values = {"gov": 63, "d1": 3, "d2": 10, "d3": 50, "l1": 6, "l2": 4, "l3": 3}
    lines = [Line("gov", ["d1", "d2", "d3"]), Line("d2", ["l1", "l2"]), Line("d1", ["l3"])]
    protection = protect(values, lines, 5)
    assert protection.small == {"d1", "l2", "l3"}
    assert protection.complements == {"d2"}  # d2's own line already hides l2
    assert exposed(values, lines, protection.hidden) == []


def test_a_two_way_table_is_protected_by_row_and_by_column():
    values = {
        ("a", "x"): 3, ("a", "y"): 40, ("a", "z"): 20,
        ("b", "x"): 30, ("b", "y"): 8, ("b", "z"): 60,
        ("a", "*"): 63, ("b", "*"): 98,
        ("*", "x"): 33, ("*", "y"): 48, ("*", "z"): 80,
        ("*", "*"): 161,
    }  # fmt: skip
    rows = [Line((r, "*"), [(r, c) for c in "xyz"]) for r in "ab"]
    columns = [Line(("*", c), [(r, c) for r in "ab"]) for c in "xyz"]
    margins = [Line(("*", "*"), [("a", "*"), ("b", "*")])]
    lines = rows + columns + margins
    protection = protect(values, lines, 5)
    assert ("a", "x") in protection.small
    assert exposed(values, lines, protection.hidden) == []
    # The smallest rectangle: the small cell, one cell in its row, one in its column, and the
    # cell closing the rectangle.
    assert protection.hidden == {("a", "x"), ("a", "z"), ("b", "x"), ("b", "z")}


def test_cells_published_elsewhere_are_never_chosen():
    values = {"gov": 60, "d1": 3, "d2": 7, "d3": 50}
    protection = protect(values, [Line("gov", ["d1", "d2", "d3"])], 5, fixed={"d2"})
    assert protection.complements == {"d3"}


def test_the_choice_does_not_depend_on_the_order_lines_are_given():
    values = {"gov": 73, "d1": 3, "d2": 20, "d3": 20, "l1": 10, "l2": 10}
    lines = [Line("gov", ["d1", "d2", "d3"]), Line("d2", ["l1", "l2"])]
    assert protect(values, lines, 5) == protect(values, list(reversed(lines)), 5)


@st.composite
def hierarchies(draw):
    """A tree of sums (a country, its governorates, districts and locations) with consistent
    totals, many of them small."""
    values, lines = {}, []

    def node(key, depth):
        if depth == 3:
            values[key] = draw(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 8, 20, 60]))
            return values[key]
        children = [(*key, index) for index in range(draw(st.integers(1, 4)))]
        values[key] = sum(node(child, depth + 1) for child in children)
        lines.append(Line(key, children))
        return values[key]

    node(("IQ",), 0)
    return values, lines


@settings(max_examples=300, deadline=None)
@given(hierarchies(), st.integers(2, 12))
def test_on_any_hierarchy_no_small_cell_follows_from_one_total(hierarchy, threshold):
    values, lines = hierarchy
    protection = protect(values, lines, threshold)
    assert protection.small == {key for key, value in values.items() if is_small(value, threshold)}
    assert exposed(values, lines, protection.hidden) == []
    # The country's total, summed by no line, is hidden only when it is small itself.
    assert (("IQ",) in protection.hidden) == is_small(values[("IQ",)], threshold)


def test_a_total_hidden_in_another_table_counts_as_hidden_here():
    # Shown elsewhere (fixed), a total is never chosen: the small cell takes its sibling.
    # Withheld elsewhere, it counts as hidden: its one cell, which equals it, must go too.
    values = {"gov": 30, "a": 3, "b": 27}
    line = [Line("gov", ["a", "b"])]
    shown = protect(values, line, 5, fixed={"gov"})
    assert shown.hidden == {"a", "b"}
    values = {"gov": 30, "a": 30}
    alone = protect(values, [Line("gov", ["a"])], 5, fixed={"gov"}, hidden_elsewhere={"gov"})
    assert alone.hidden == {"a"}
    assert alone.complements == {"a"}
    assert "gov" not in alone


def test_a_cell_a_wider_table_withholds_is_withheld_here_and_protected():
    # b is withheld in a wider table: hidden here as a complement, and the line then takes
    # the smallest other cell with it; a withheld cell that is small stays "small".
    values = {"all": 60, "a": 30, "b": 20, "c": 10}
    protection = protect(values, [Line("all", ["a", "b", "c"])], 5, withhold={"b"})
    assert protection.complements == {"b", "c"}
    assert not protection.small
    small = protect({"all": 33, "a": 3, "b": 30}, [Line("all", ["a", "b"])], 5, withhold={"a"})
    assert small.small == {"a"}
    assert small.complements == {"b"}
