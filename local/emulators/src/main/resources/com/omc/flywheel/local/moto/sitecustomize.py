"""Loaded by Python at start-up in the moto_server that MotoServer.java starts (PYTHONPATH).

moto 5.2.1's Step Functions engine deep-copies the state machine on every StartExecution, with the
executions it already ran; an execution holds a lock, so the copy fails and the second
StartExecution of a state machine answers HTTP 500 ("cannot pickle '_thread.RLock' object").
AWS runs many executions of one state machine, at once or one after the other: the operator's
resume, and the refusal of a second refresh, need that here too. The copy leaves the executions out
(the engine reads only the definition and settings from it). Nothing else of moto is changed.
"""
import copy
import sys

from moto.stepfunctions.models import StateMachineInstance

# MotoServer.java looks for this line in moto's log and stops if it is missing: Python only prints
# an exception raised here and goes on, so a fix that no longer fits would go unnoticed.
MARKER = "flywheel: moto fix loaded (StartExecution copies no executions)"


def _copy_without_executions(self, memo):
    cls = self.__class__
    clone = cls.__new__(cls)
    memo[id(self)] = clone
    for name, value in self.__dict__.items():
        setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
    return clone


if not hasattr(StateMachineInstance, "executions") and "__deepcopy__" not in StateMachineInstance.__dict__:
    StateMachineInstance.__deepcopy__ = _copy_without_executions
    print(MARKER, file=sys.stderr, flush=True)
else:
    raise RuntimeError("flywheel's moto fix (local/.../moto/sitecustomize.py) no longer fits this moto: review it")
