#!/usr/bin/env python3
"""One definition of the Glue job loop, written into the three state machines.

Every Glue job of db-refresh, topic-orchestrator and historical-rebuilder runs the same loop:

    <Step> (one-branch Parallel, Retry GlueJobFailed: the job is started again)
      Prepare<Step>  nothing waited for a slot yet ($.slot.waitedSeconds = 0)
      Start<Step>    start-glue-job, onConcurrencyLimit WAIT (adopts the identical run already going)
      <Step>SlotFree? WAITING_FOR_SLOT (the job is at its MaxConcurrentRuns; nothing was started) ->
                     WaitForSlot<Step> (the answer's nextWaitSeconds) -> CountSlotWait<Step> -> Start<Step>,
                     until slot.waitedSeconds reaches limits.maxSlotWaitSeconds (default 21600) ->
                     <Step>SlotCeiling; otherwise Count<Step>Polls (the run, pollCount 0)
      Check<Step>    check-status
      <Step>Ended?   SUCCEEDED -> <Step>Succeeded, FAILED -> <Step>Failed (GlueJobFailed),
                     pollCount >= limits.maxPolls -> <Step>PollCeiling,
                     elapsedSeconds > limits.maxRunSeconds (default 21600) -> <Step>TimeCeiling,
                     otherwise WaitFor<Step> (nextWaitSeconds) -> Check<Step>

A job at its concurrency limit is an answer of start-glue-job, not an error (no Lambda error, no
Retry): the step waits for a slot, in every machine alike (db-refresh's two registrations share
one job; the topics share theirs), and fails at <Step>SlotCeiling only after about 6 hours of it.

This script owns exactly those states: the loop Parallel's Type, Comment, Branches and Retry. Every
other state, and the loop Parallel's wiring (Next/End, ResultPath, Catch), stays as it is in the
committed statemachine/*.asl.json, which the script reads and writes back. So:

  - change a loop: edit job_loop() or JOB_LOOPS below, then run `python3 statemachine/generate.py`;
  - change anything else: edit the .asl.json directly (then run the script: it must change nothing);
  - AslDefinitionsTest fails when the committed files differ from this script's output.

One file is derived whole: topic-orchestrator-distributed.asl.json is topic-orchestrator.asl.json
with its ProcessTopics Map in DISTRIBUTED mode (distributed_variant()); edit the inline file, never
the derived one.

Usage: python3 statemachine/generate.py [--out DIR]   (default: rewrite statemachine/ in place)
Standard library only. SAM deploys the .asl.json files as they are.
"""
import argparse
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent

# The time ceiling on one Glue run, when the input's limits.maxRunSeconds does not set it: 6 hours,
# the longest any copy of the loop allowed before (the split jobs and the history rebuild). The
# ceiling only stops the waiting; the run itself is stopped by the Glue job's own Timeout.
DEFAULT_MAX_RUN_SECONDS = 21600

# Lambda task timeouts: the function's Timeout in template.yaml + 30 s (AslDefinitionsTest checks).
START_GLUE_JOB_TIMEOUT = 930  # start-glue-job: Timeout 900
CHECK_STATUS_TIMEOUT = 640    # check-status: Timeout 610

TRANSIENT = [
    "TransientAwsException",
    "com.omc.flywheel.shared.errors.TransientAwsException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]


def retry(errors, interval, attempts):
    return {"ErrorEquals": errors, "IntervalSeconds": interval, "MaxAttempts": attempts, "BackoffRate": 2.0}


def lambda_retry(interval, attempts):
    """Transient AWS and Lambda service errors with backoff; a run Lambda or the task stopped, again."""
    return [retry(TRANSIENT, interval, attempts), retry(["Sandbox.Timedout", "States.Timeout"], 10, 2)]


# A Glue job at its MaxConcurrentRuns: start-glue-job (onConcurrencyLimit WAIT) starts nothing and answers
# WAITING_FOR_SLOT with nextWaitSeconds (its SLOT_WAIT_SECONDS, 300); the loop waits that long and asks again,
# summing the waits, up to limits.maxSlotWaitSeconds or this default: 6 hours, as long as a run may hold a slot
# before its own loop's time ceiling (DEFAULT_MAX_RUN_SECONDS), so a slot frees long before. Each wait is 11
# history events (the Start task, the Choice, the Wait, the count); only the steps waiting make them.
DEFAULT_MAX_SLOT_WAIT_SECONDS = 21600
WAITING = "WAITING_FOR_SLOT"


def job_loop(step, job, topic_argument=False, retry_interval=30, retry_attempts=2, comment=None):
    """The loop Parallel of one Glue job step.

    step            the state name: <step>, Start<step>, Check<step>, <step>Ended?, ...
    job             the job's place in the input, e.g. "$.jobs.splitAddressableIds"
                    ({jobName, arguments} in db-refresh, {jobName} in the topic machines)
    topic_argument  True: the arguments are {"--topic_name": $.topic}; False: the job's own
                    arguments, with the run's snapshot date as snapshotDt
    retry_interval, retry_attempts
                    GlueJobFailed: the whole job is started again (backoff 2)
    """
    if topic_argument:
        payload = {"jobName.$": job + ".jobName", "arguments": {"--topic_name.$": "$.topic"},
                   "onConcurrencyLimit": "WAIT"}
    else:
        payload = {"jobName.$": job + ".jobName", "arguments.$": job + ".arguments",
                   "snapshotDt.$": "$.snapshot.snapshotDt", "onConcurrencyLimit": "WAIT"}
    may_run = "; it may still be running"
    waiting = {"Variable": "$.start.answer.status", "StringEquals": WAITING}
    states = {
        "Prepare" + step: {
            "Type": "Pass",
            "Comment": "Nothing waited yet for a slot of the job.",
            "Result": {"waitedSeconds": 0},
            "ResultPath": "$.slot",
            "Next": "Start" + step,
        },
        "Start" + step: {
            "Type": "Task",
            "Comment": "Starts the Glue job, or adopts its identical run already going (a retried step never starts a "
                       "duplicate); at the job's MaxConcurrentRuns it starts nothing and answers WAITING_FOR_SLOT.",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${StartGlueJobFunctionArn}", "Payload": payload},
            "ResultSelector": {"answer.$": "$.Payload"},
            "ResultPath": "$.start",
            "TimeoutSeconds": START_GLUE_JOB_TIMEOUT,
            "Retry": lambda_retry(30, 2),
            "Next": step + "SlotFree?",
        },
        step + "SlotFree?": {
            "Type": "Choice",
            "Choices": [
                {"And": [waiting, {"Variable": "$.limits.maxSlotWaitSeconds", "IsPresent": True},
                         {"Variable": "$.slot.waitedSeconds",
                          "NumericGreaterThanEqualsPath": "$.limits.maxSlotWaitSeconds"}],
                 "Next": step + "SlotCeiling"},
                {"And": [waiting, {"Variable": "$.limits.maxSlotWaitSeconds", "IsPresent": False},
                         {"Variable": "$.slot.waitedSeconds", "NumericGreaterThanEquals": DEFAULT_MAX_SLOT_WAIT_SECONDS}],
                 "Next": step + "SlotCeiling"},
                {**waiting, "Next": "WaitForSlot" + step},
            ],
            "Default": "Count" + step + "Polls",
        },
        "WaitForSlot" + step: {"Type": "Wait", "SecondsPath": "$.start.answer.nextWaitSeconds",
                               "Next": "CountSlotWait" + step},
        "CountSlotWait" + step: {
            "Type": "Pass",
            "Parameters": {"waitedSeconds.$": "States.MathAdd($.slot.waitedSeconds, $.start.answer.nextWaitSeconds)"},
            "ResultPath": "$.slot",
            "Next": "Start" + step,
        },
        "Count" + step + "Polls": {
            "Type": "Pass",
            "Parameters": {"jobName.$": "$.start.answer.jobName", "jobRunId.$": "$.start.answer.jobRunId",
                           "attached.$": "$.start.answer.attached", "pollCount": 0},
            "ResultPath": "$.run",
            "Next": "Check" + step,
        },
        "Check" + step: {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${CheckStatusFunctionArn}",
                           "Payload": {"jobName.$": "$.run.jobName", "jobRunId.$": "$.run.jobRunId",
                                       "pollCount.$": "$.run.pollCount"}},
            "ResultSelector": {"jobName.$": "$.Payload.jobName", "jobRunId.$": "$.Payload.jobRunId",
                               "pollCount.$": "$.Payload.pollCount", "status.$": "$.Payload.status",
                               "nextWaitSeconds.$": "$.Payload.nextWaitSeconds", "check.$": "$.Payload"},
            "ResultPath": "$.run",
            "TimeoutSeconds": CHECK_STATUS_TIMEOUT,
            "Retry": lambda_retry(10, 3),
            "Next": step + "Ended?",
        },
        step + "Ended?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.run.status", "StringEquals": "SUCCEEDED", "Next": step + "Succeeded"},
                {"Variable": "$.run.status", "StringEquals": "FAILED", "Next": step + "Failed"},
                {"Variable": "$.run.pollCount", "NumericGreaterThanEqualsPath": "$.limits.maxPolls",
                 "Next": step + "PollCeiling"},
                {"And": [{"Variable": "$.limits.maxRunSeconds", "IsPresent": True},
                         {"Variable": "$.run.check.elapsedSeconds", "NumericGreaterThanPath": "$.limits.maxRunSeconds"}],
                 "Next": step + "TimeCeiling"},
                {"And": [{"Variable": "$.limits.maxRunSeconds", "IsPresent": False},
                         {"Variable": "$.run.check.elapsedSeconds", "NumericGreaterThan": DEFAULT_MAX_RUN_SECONDS}],
                 "Next": step + "TimeCeiling"},
            ],
            "Default": "WaitFor" + step,
        },
        "WaitFor" + step: {"Type": "Wait", "SecondsPath": "$.run.nextWaitSeconds", "Next": "Check" + step},
        step + "Succeeded": {
            "Type": "Pass",
            "Parameters": {"step": step, "jobName.$": "$.run.jobName", "jobRunId.$": "$.run.jobRunId",
                           "polls.$": "$.run.pollCount", "elapsedSeconds.$": "$.run.check.elapsedSeconds",
                           "finishedAt.$": "$$.State.EnteredTime"},
            "End": True,
        },
        step + "Failed": {"Type": "Fail", "Error": "GlueJobFailed", "CausePath": "$.run.check.errorMessage"},
        step + "TimeCeiling": {
            "Type": "Fail", "Error": "TimeCeilingReached",
            "Cause": "the Glue job run has been going longer than limits.maxRunSeconds (default "
                     f"{DEFAULT_MAX_RUN_SECONDS} s) allows" + may_run,
        },
        step + "PollCeiling": {
            "Type": "Fail", "Error": "PollCeilingReached",
            "Cause": "the Glue job run was polled limits.maxPolls times without ending" + may_run,
        },
        step + "SlotCeiling": {
            "Type": "Fail", "Error": "SlotWaitCeilingReached",
            "Comment": "The job stayed at its MaxConcurrentRuns for limits.maxSlotWaitSeconds (default "
                       f"{DEFAULT_MAX_SLOT_WAIT_SECONDS} s); nothing was started. The cause names the runs in the way.",
            "CausePath": "$.start.answer.message",
        },
    }
    return {
        "Type": "Parallel",
        "Comment": comment or f"Runs {step}; a failed Glue run is retried by starting the job again.",
        "Branches": [{"StartAt": "Prepare" + step, "States": states}],
        "Retry": [retry(["GlueJobFailed"], retry_interval, retry_attempts)],
    }


# Every Glue job step, by file. The split jobs wait longer before they are started again.
JOB_LOOPS = {
    "db-refresh.asl.json": [
        job_loop("SplitAddressableIds", "$.jobs.splitAddressableIds", retry_interval=60),
        job_loop("SplitInfobase", "$.jobs.splitInfobase", retry_interval=60),
        job_loop("RegisterAddressableIds", "$.jobs.registerAddressableIds"),
        job_loop("RegisterInfobase", "$.jobs.registerInfobase"),
    ],
    "topic-orchestrator.asl.json": [
        job_loop("Standardize", "$.jobs.standardized", topic_argument=True),
        job_loop("Curate", "$.jobs.curated", topic_argument=True),
    ],
    "historical-rebuilder.asl.json": [
        job_loop("RebuildHistory", "$.jobs.rebuilder", topic_argument=True),
    ],
}

OWNED = ("Type", "Comment", "Branches", "Retry")

# The orchestrator's Map in DISTRIBUTED mode, for more topics than an inline Map holds (docs/operating.md):
# each topic a child execution with a history of its own (the parent's 25,000 events no longer bound the
# topics of a run), up to 10,000 at once. ToleratedFailurePercentage 100: a child that fails anyway (each
# topic's failure is caught in its iteration already) never fails the Map; RecordTopicRuns counts it.
DISTRIBUTED = {"topic-orchestrator-distributed.asl.json": "topic-orchestrator.asl.json"}


def distributed_variant(asl):
    """The inline orchestrator with its ProcessTopics Map run as a Distributed Map."""
    asl = json.loads(json.dumps(asl))
    asl["Comment"] = asl["Comment"].replace("topic orchestrator:", "topic orchestrator (DISTRIBUTED Map, "
                                            "TopicMapMode=DISTRIBUTED):", 1)
    states = asl["States"]
    old = states["ProcessTopics"]
    new = {}
    for key, value in old.items():
        new[key] = value
        if key == "MaxConcurrencyPath":
            new["ToleratedFailurePercentage"] = 100.0
            new["Label"] = "Topics"
    new["ItemProcessor"]["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    new["Comment"] = old["Comment"] + " Each topic runs as a child execution (Distributed Map)."
    states["ProcessTopics"] = new
    return asl


def state_maps(node):
    """Every "States" object of a definition: the top level, Parallel branches, Map processors."""
    yield node["States"]
    for state in node["States"].values():
        for branch in state.get("Branches", []):
            yield from state_maps(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from state_maps(state[key])


def regenerate(file_name, asl):
    loops = {loop["Branches"][0]["StartAt"][len("Prepare"):]: loop for loop in JOB_LOOPS[file_name]}
    done = set()
    for states in state_maps(asl):
        for name in list(states):
            state = states[name]
            if name in loops:
                wiring = {k: v for k, v in state.items() if k not in OWNED}
                states[name] = {**loops[name], **wiring}
                done.add(name)
            elif state.get("Resource", "").endswith("lambda:invoke") and \
                    state.get("Parameters", {}).get("FunctionName") == "${StartGlueJobFunctionArn}" and \
                    name[len("Start"):] not in loops:
                sys.exit(f"{file_name}: {name} starts a Glue job outside JOB_LOOPS; add its step to generate.py")
    missing = set(loops) - done
    if missing:
        sys.exit(f"{file_name}: no state named {sorted(missing)}; JOB_LOOPS names a step the file lacks")
    return asl


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=HERE, help="folder to write the .asl.json files to")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for file_name in JOB_LOOPS:
        asl = json.loads((HERE / file_name).read_text(encoding="utf-8"))
        written[file_name] = regenerate(file_name, asl)
        text = json.dumps(written[file_name], indent=2, ensure_ascii=False) + "\n"
        (out / file_name).write_text(text, encoding="utf-8")
        print(f"wrote {out / file_name}")
    for file_name, source in DISTRIBUTED.items():
        text = json.dumps(distributed_variant(written[source]), indent=2, ensure_ascii=False) + "\n"
        (out / file_name).write_text(text, encoding="utf-8")
        print(f"wrote {out / file_name}")


if __name__ == "__main__":
    main()
