"""Lesson 09's function checks: on every input they use, visible or hidden, each catalogued
misconception gives a value other than the right one (so a wrong answer cannot pass, and a right
one is never named a mistake), and each misconception that raises does so with its own error."""

import pytest

import graders.lesson09_gradients_of_gradients as l09
from graders.checking import close, oracle

CHECKS = {
    "second_derivative": (l09.second_inputs, l09._second, l09._second_mistakes),
    "hvp": (l09.hvp_inputs, l09._hvp, l09._hvp_mistakes),
    "newton_step": (l09.newton_inputs, l09._newton, l09._newton_mistakes),
}


@pytest.mark.parametrize("name", CHECKS)
def test_each_input_tells_every_mistake_from_the_right_answer(name):
    inputs_of, scenario, mistakes_of = CHECKS[name]
    for args in inputs_of(hidden=True):
        expected = oracle(scenario, *args)  # both engines agree, or ReferenceError_
        for mistake in mistakes_of():
            if l09._error_of(mistake.scenario, *args) is None:
                assert not close(oracle(mistake.scenario, *args), expected), mistake.name


@pytest.mark.parametrize("name", CHECKS)
def test_a_mistake_that_raises_is_named_by_its_error_alone(name):
    inputs_of, _, mistakes_of = CHECKS[name]
    for args in inputs_of(hidden=True):
        names_by_error = {}
        for mistake in mistakes_of():
            error = l09._error_of(mistake.scenario, *args)
            if error is not None:
                names_by_error.setdefault(error, set()).add(mistake.name)
        assert names_by_error and all(len(names) == 1 for names in names_by_error.values())
