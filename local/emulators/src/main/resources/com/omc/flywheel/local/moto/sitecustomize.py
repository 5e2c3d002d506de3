"""Loaded by Python at start-up in the moto_server that MotoServer.java starts (PYTHONPATH).

moto 5.2.1's Step Functions engine deep-copies the state machine on every StartExecution, with the
executions it already ran; an execution holds a lock, so the copy fails and the second
StartExecution of a state machine answers HTTP 500 ("cannot pickle '_thread.RLock' object").
AWS runs many executions of one state machine, at once or one after the other: the operator's
resume, and the refusal of a second refresh, need that here too. The copy leaves the executions out
(the engine reads only the definition and settings from it). A second fix keeps a stopped Parallel
branch's TaskScheduled event serializable (below).

moto parses a definition (ANTLR, in Python: about 0.2 s of CPU for db-refresh's 84 KB) at every
CreateStateMachine and again at every StartExecution. The parse tree of a definition is kept (the
last 32 definitions) and only the evaluation components are built from it again for each call, so
every execution still gets its own; a definition that does not parse is parsed (and refused) every
time, as before. The same definitions, states and outcomes; less CPU.

For the test suite only, FLYWHEEL_MOTO_TIME_SCALE (a number above 0 and at most 1) makes the engine's
Wait states and Retry intervals sleep that fraction of their seconds: the executions take the same
path through the same states, in less wall time. Unset (as in `bin/flywheel local-run`), moto waits
as Step Functions does. Nothing else of moto is changed.
"""
import copy
import os
import sys
import time as _time

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


# A Parallel state's failing branch stops the others; a Task of a stopped branch still records its
# TaskScheduled event, but the timeout it evaluates is skipped (a stopped frame evaluates nothing), so
# the value it pops is whatever was on the stack: a dict. The history then holds a dict where the API
# model has a number, and every GetExecutionHistory of that execution answers 500 from then on (seen
# with RegisterTables failing in one branch while the other starts its job). AWS records no such
# event; here the unknown timeout is left out of it.
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

_NUMBERS = ("timeoutInSeconds", "heartbeatInSeconds")
_add_event = EventManager.add_event


def _add_event_with_numbers(self, context, event_type, event_details=None, *args, **kwargs):
    if isinstance(event_details, dict):
        for details in event_details.values():
            if isinstance(details, dict):
                for name in _NUMBERS:
                    if name in details and not isinstance(details[name], int):
                        del details[name]
    return _add_event(self, context, event_type, event_details, *args, **kwargs)


if (not hasattr(StateMachineInstance, "executions") and "__deepcopy__" not in StateMachineInstance.__dict__
        and callable(_add_event)):
    StateMachineInstance.__deepcopy__ = _copy_without_executions
    EventManager.add_event = _add_event_with_numbers
    print(MARKER, file=sys.stderr, flush=True)
else:
    raise RuntimeError("flywheel's moto fix (local/.../moto/sitecustomize.py) no longer fits this moto: review it")


import collections
import threading

from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

_parse = AmazonStateLanguageParser.parse
_TREES = collections.OrderedDict()
_TREES_LOCK = threading.Lock()


def _parse_once(definition):
    with _TREES_LOCK:
        tree = _TREES.get(definition)
        if tree is not None:
            _TREES.move_to_end(definition)
    if tree is None:
        program, tree = _parse(definition)
        with _TREES_LOCK:
            _TREES[definition] = tree
            while len(_TREES) > 32:
                _TREES.popitem(last=False)
        return program, tree
    # The tree is only read: each call gets evaluation components of its own.
    return Preprocessor().visit(tree), tree


if "parse" not in AmazonStateLanguageParser.__dict__ or not callable(_parse):
    raise RuntimeError("flywheel's moto parse cache (local/.../moto/sitecustomize.py) no longer fits this moto")
AmazonStateLanguageParser.parse = staticmethod(_parse_once)


import functools

import jsonpath_ng
import jsonpath_ng.ext
import jsonpath_ng.ext.parser
import jsonpath_ng.parser
from moto.stepfunctions.parser.asl.component.common.path import result_path as _result_path
from moto.stepfunctions.parser.asl.utils import json_path as _json_path

if _json_path.parse is not jsonpath_ng.ext.parse or _result_path.parse is not jsonpath_ng.parse:
    raise RuntimeError("flywheel's moto JSONPath cache (local/.../moto/sitecustomize.py) no longer fits this moto")


def _one_parser(parser_class):
    """jsonpath_ng's parse builds a new parser, its LALR tables included, for every path (20-50 ms of
    CPU each): one parser per grammar serves every new path, one path at a time (a PLY parser keeps its
    stacks on itself while it parses, and moto runs executions in threads)."""
    parser = []
    lock = threading.Lock()

    def parse(path):
        with lock:
            if not parser:
                parser.append(parser_class())
            return parser[0].parse(path)
    return parse


_json_path.parse = functools.lru_cache(maxsize=4096)(_one_parser(jsonpath_ng.ext.parser.ExtendedJsonPathParser))
_result_path.parse = functools.lru_cache(maxsize=4096)(_one_parser(jsonpath_ng.parser.JsonPathParser))


def _time_scale():
    text = os.environ.get("FLYWHEEL_MOTO_TIME_SCALE", "")
    if not text:
        return None
    scale = float(text)
    if not 0 < scale <= 1:
        raise ValueError("FLYWHEEL_MOTO_TIME_SCALE must be above 0 and at most 1, not " + text)
    return scale


_SCALE = _time_scale()
if _SCALE is not None and _SCALE < 1:
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function

    def _scaled_wait(self, env, wait_seconds):
        # One wait of the scaled length; an interrupted execution (stopped) ends it early, as before.
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds * _SCALE)

    class _ScaledTime:
        """The time module as retrier_decl sees it: sleep() scaled, everything else as it is."""

        def __getattr__(self, name):
            return getattr(_time, name)

        @staticmethod
        def sleep(seconds):
            _time.sleep(seconds * _SCALE)

    if not hasattr(wait_function.WaitFunction, "_wait_interval") or not hasattr(retrier_decl, "time"):
        raise RuntimeError("flywheel's moto time scale (local/.../moto/sitecustomize.py) no longer fits this moto")
    wait_function.WaitFunction._wait_interval = _scaled_wait
    retrier_decl.time = _ScaledTime()
    print("flywheel: moto time scale %s for Wait states and Retry intervals" % _SCALE, file=sys.stderr, flush=True)


# KMS: CreateKey with the tag _custom_key_id_ makes the key under that id (moto 5.2.1 gives every key a
# random one; its own _custom_id_ tag does not reach KMS). local-run --param ReportKmsKeyArn=<a key of
# this account> makes that key so, as the account has it; the tag itself is not kept.
from moto.kms.models import KmsBackend

_create_key = KmsBackend.create_key
_CUSTOM_KEY_ID = "_custom_key_id_"


def _create_key_with_id(self, policy, key_usage, key_spec, description, tags, *args, **kwargs):
    wanted = next((t.get("TagValue") for t in tags or [] if t.get("TagKey") == _CUSTOM_KEY_ID), None)
    rest = [t for t in tags or [] if t.get("TagKey") != _CUSTOM_KEY_ID]
    key = _create_key(self, policy, key_usage, key_spec, description, None if wanted else tags, *args, **kwargs)
    if wanted:
        if wanted in self.keys:
            del self.keys[key.id]
            raise ValueError("a KMS key with id %s exists already" % wanted)
        del self.keys[key.id]
        key.arn = key.arn[: -len(key.id)] + wanted
        key.id = wanted
        self.keys[wanted] = key
        if rest:
            self.tag_resource(key.id, rest)
    return key


if "create_key" not in KmsBackend.__dict__:
    raise RuntimeError("flywheel's KMS key id fix (local/.../moto/sitecustomize.py) no longer fits this moto")
KmsBackend.create_key = _create_key_with_id
