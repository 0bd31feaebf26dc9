"""Lesson 09's function checks: on the visible inputs and on the hidden ones, each catalogued
misconception is told from the right answer (so a wrong answer cannot pass, and a right one is
never named a mistake), and where it first shows, it is named by its own diagnosis -- by its value,
or by its error when it raises."""

import pytest

import graders.answer_key.lesson09_gradients_of_gradients as key
import graders.lesson09_gradients_of_gradients as l09
from graders.answer_key.judging import close, oracle

CHECKS = {
    "second_derivative": (lambda hidden: [(f, v) for (_, f), v in l09.second_cases(hidden)],
                          key._second, key.SECOND_MISTAKES),
    "hvp": (lambda hidden: [(f, x, v) for (_, f), x, v in l09.hvp_cases(hidden)],
            key._hvp, key.HVP_MISTAKES),
    "newton_step": (lambda hidden: [(f, v) for (_, f), v in l09.newton_cases(hidden)],
                    key._newton, key.NEWTON_MISTAKES),
}


def first_showing(cases, scenario, mistake):
    """(args, error or None) of the first case, in the judge's order, where the mistake's
    scenario raises or gives another value than the right one; None if it never shows."""
    for args in cases:
        error = key._error_of(mistake.scenario, *args)
        if error is not None or not close(oracle(mistake.scenario, *args), oracle(scenario, *args)):
            return args, error
    return None


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize("hidden", [False, True])
def test_every_mistake_shows_on_the_inputs(name, hidden):
    cases, scenario, mistakes = CHECKS[name]
    for args in cases(hidden):
        oracle(scenario, *args)  # both engines agree, or OraclesDisagree
    for mistake in mistakes:
        assert first_showing(cases(hidden), scenario, mistake) is not None, mistake.name


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize("hidden", [False, True])
def test_a_mistake_is_named_by_itself_where_it_first_shows(name, hidden):
    """Where a mistake first shows, a value names it when no other mistake gives that value
    there; an error names it when it is the first mistake raising that error there (the order
    the judge reads them in)."""
    cases, scenario, mistakes = CHECKS[name]
    for mistake in mistakes:
        args, error = first_showing(cases(hidden), scenario, mistake)
        if error is None:
            value = oracle(mistake.scenario, *args)
            others = [m.name for m in mistakes if m is not mistake and m.name != mistake.name
                      and key._error_of(m.scenario, *args) is None
                      and close(oracle(m.scenario, *args), value)]
            assert not others, (mistake.name, others)
        else:
            first = next(m for m in mistakes if key._error_of(m.scenario, *args) == error)
            assert first.name == mistake.name, (mistake.name, first.name, error)
