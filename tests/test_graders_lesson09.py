"""Lesson 09's function checks: on every input they use, visible or hidden, each catalogued
misconception gives a value other than the right one (so a wrong answer cannot pass, and a right
one is never named a mistake), and each misconception that raises does so with its own error."""

import pytest

import graders.answer_key.lesson09_gradients_of_gradients as key
import graders.lesson09_gradients_of_gradients as l09
from graders.answer_key.judging import close, oracle

CHECKS = {
    "second_derivative": (lambda hidden: [(f, v) for (_, f), v in l09.second_cases(hidden)],
                          key._second, key.SECOND_MISTAKES),
    "hvp": (l09.hvp_cases, key._hvp, key.HVP_MISTAKES),
    "newton_step": (lambda hidden: [(f, v) for (_, f), v in l09.newton_cases(hidden)],
                    key._newton, key.NEWTON_MISTAKES),
}


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize("hidden", [False, True])
def test_each_input_tells_every_mistake_from_the_right_answer(name, hidden):
    cases, scenario, mistakes = CHECKS[name]
    for args in cases(hidden):
        expected = oracle(scenario, *args)  # both engines agree, or OraclesDisagree
        for mistake in mistakes:
            if key._error_of(mistake.scenario, *args) is None:
                assert not close(oracle(mistake.scenario, *args), expected), mistake.name


@pytest.mark.parametrize("name", CHECKS)
def test_a_mistake_that_raises_is_named_by_its_error_alone(name):
    cases, _, mistakes = CHECKS[name]
    for args in cases(True):
        names_by_error = {}
        for mistake in mistakes:
            error = key._error_of(mistake.scenario, *args)
            if error is not None:
                names_by_error.setdefault(error, set()).add(mistake.name)
        assert names_by_error and all(len(names) == 1 for names in names_by_error.values())
